package org.mlgateway.e2e;

import io.restassured.RestAssured;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the running stack is and how to reach it, from the same settings that `make start-project`
 * uses: stack.env at the repository root, where an environment variable of the same name wins.
 * TLS is verified against the generated certificate.
 */
public final class StackEnv {

    private static final Map<String, String> STACK_ENV = readStackEnv();

    private StackEnv() {}

    /** An environment variable, else stack.env's value, else the fallback (for names stack.env does not define). */
    public static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? STACK_ENV.getOrDefault(name, fallback) : value;
    }

    /** A setting of stack.env, or the environment variable of the same name. */
    public static String setting(String name) {
        String value = env(name, null);
        if (value == null) {
            throw new IllegalStateException(name + " is neither in the environment nor in "
                    + projectRoot().resolve("stack.env"));
        }
        return value;
    }

    public static int intSetting(String name) {
        return Integer.parseInt(setting(name));
    }

    /** stack.env's KEY=value lines, as the scripts and Compose read them (no quoting, # comments). */
    static Map<String, String> readStackEnv() {
        Map<String, String> settings = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(projectRoot().resolve("stack.env"))) {
                int equals = line.indexOf('=');
                if (!line.isBlank() && !line.startsWith("#") && equals > 0) {
                    settings.put(line.substring(0, equals).trim(), line.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return settings;
    }

    public static Path projectRoot() {
        return Path.of(System.getProperty("project.root", ".."))
                .toAbsolutePath()
                .normalize();
    }

    public static Path stateDir() {
        String dir = System.getenv("STATE_DIR");
        return dir == null || dir.isBlank()
                ? projectRoot().resolve("state")
                : Path.of(dir).toAbsolutePath();
    }

    /**
     * The stack under test: native (make start-project) unless RUNTIME=docker, as for `make
     * start-project RUNTIME=docker` (the container tests run so: scripts/test.sh).
     */
    public static boolean containers() {
        return "docker".equals(env("RUNTIME", "native"));
    }

    /**
     * The gateway's self-signed certificate, generated on first start: natively in state/certs, in
     * containers in the gateway's volume, which scripts/compose.sh copies to state/compose.
     */
    public static Path certificate() {
        return stateDir().resolve(containers() ? "compose/gateway.crt" : "certs/gateway.crt");
    }

    public static int httpsPort() {
        return Integer.parseInt(setting("GATEWAY_HTTPS_PORT"));
    }

    public static int httpPort() {
        return Integer.parseInt(setting("GATEWAY_HTTP_PORT"));
    }

    public static String gatewayUrl() {
        return "https://localhost:" + httpsPort();
    }

    public static String user() {
        return setting("GATEWAY_USER");
    }

    public static String password() {
        return setting("GATEWAY_PASSWORD");
    }

    /** The admin console's password: ADMIN_PASSWORD, or the one generated at first start when that is empty. */
    public static String adminPassword() {
        String set = env("ADMIN_PASSWORD", "");
        if (!set.isEmpty()) {
            return set;
        }
        try {
            return Files.readString(adminPasswordFile()).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "ADMIN_PASSWORD is empty and " + adminPasswordFile() + " unreadable: is the stack started?", e);
        }
    }

    public static Path adminPasswordFile() {
        return stateDir().resolve("liberty/admin-console.password");
    }

    public static String prometheusUrl() {
        return "http://127.0.0.1:" + setting("PROMETHEUS_PORT");
    }

    /** A request to the gateway that trusts only the generated certificate (no verification is skipped). */
    public static RequestSpecification gateway() {
        if (!Files.isReadable(certificate())) {
            throw new IllegalStateException("No certificate at " + certificate() + ": is the stack started?");
        }
        return RestAssured.given()
                .baseUri(gatewayUrl())
                .config(RestAssured.config()
                        .sslConfig(SSLConfig.sslConfig().trustStore(TrustStores.fromPem(certificate()))));
    }

    /** The same, with the configured basic-auth credentials. */
    public static RequestSpecification authenticated() {
        return gateway().auth().preemptive().basic(user(), password());
    }
}
