package org.mlgateway.emotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.oracle.labs.mlrg.olcut.config.ArgumentException;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.Options;
import com.oracle.labs.mlrg.olcut.config.UsageException;
import java.io.IOException;
import java.nio.file.Path;

/** What the two command-line tools share: OLCUT option parsing (as Tribuo's own CLIs do) and JSON output. */
final class Cli {

    /** Exit status for a wrong command line (as before, and as `make evaluate` without DATASET). */
    static final int USAGE_ERROR = 2;

    private Cli() {}

    /**
     * Fills {@code options} from the command line. Returns false after printing the usage for
     * {@code --help}; exits with {@link #USAGE_ERROR} on an unknown or malformed argument.
     */
    static boolean parse(String[] args, Options options) {
        try (ConfigurationManager cm = new ConfigurationManager(args, options)) {
            if (cm.getUnnamedArguments().length > 0) {
                throw new ArgumentException("unknown argument", String.join(" ", cm.getUnnamedArguments()));
            }
            return true;
        } catch (UsageException e) {
            System.err.println(e.getUsage());
            return false;
        } catch (ArgumentException e) {
            System.err.println(e.getMessage() + "\n" + Options.formatUsage(Options.getUsage(options.getClass())));
            System.exit(USAGE_ERROR);
            return false;
        }
    }

    static String toJson(Object value) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }

    // Relative to the working directory (the project root under `make`), so cards do not leak home paths.
    static String displayPath(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path rel = abs.startsWith(cwd.getParent() == null ? cwd : cwd.getParent()) ? cwd.relativize(abs) : abs;
        return rel.toString();
    }
}
