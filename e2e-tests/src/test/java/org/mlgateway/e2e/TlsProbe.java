package org.mlgateway.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OpenSSL's s_client as a TLS probe, with a timeout that holds: its output goes to a file (a pipe
 * read would block until the process ends, whatever the timeout), and a probe that does not finish
 * in time is killed and reported. Security level 0 lets the client offer old protocols, so only the
 * server can refuse them.
 */
final class TlsProbe {

    static final long TIMEOUT_SECONDS = 20;

    record Handshake(int exitCode, String output) {
        /** A cipher was agreed: the handshake completed. */
        boolean negotiated() {
            return exitCode == 0 && output.contains("Cipher is ") && !output.contains("Cipher is (NONE)");
        }

        /** The server answered the offered version with TLS's protocol_version alert. */
        boolean protocolAlert() {
            return output.contains("alert protocol version");
        }
    }

    private TlsProbe() {}

    static Handshake handshake(int port, String versionFlag, String caFile) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-servername",
                "localhost",
                versionFlag,
                "-cipher",
                "DEFAULT@SECLEVEL=0"));
        if (caFile != null) {
            command.addAll(List.of("-CAfile", caFile));
        }
        File output = File.createTempFile("s_client", ".out");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("openssl s_client " + versionFlag + " did not finish within " + TIMEOUT_SECONDS
                        + " s:\n" + Files.readString(output.toPath(), StandardCharsets.UTF_8));
            }
            return new Handshake(process.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output.toPath());
        }
    }
}
