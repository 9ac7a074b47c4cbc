package org.mlgateway.e2e;

import io.restassured.RestAssured;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the running stack is and how to reach it, from the same environment variables (and
 * defaults) that `make start-project` uses. TLS is verified against the generated certificate.
 */
public final class StackEnv {

    private StackEnv() {
    }

    public static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    public static Path projectRoot() {
        return Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    }

    public static Path stateDir() {
        String dir = System.getenv("STATE_DIR");
        return dir == null || dir.isBlank() ? projectRoot().resolve("state") : Path.of(dir).toAbsolutePath();
    }

    /** The gateway's self-signed certificate, generated on first start. */
    public static Path certificate() {
        return stateDir().resolve("certs/gateway.crt");
    }

    public static int httpsPort() {
        return Integer.parseInt(env("GATEWAY_HTTPS_PORT", "443"));
    }

    public static int httpPort() {
        return Integer.parseInt(env("GATEWAY_HTTP_PORT", "80"));
    }

    public static String gatewayUrl() {
        return "https://localhost:" + httpsPort();
    }

    public static String user() {
        return env("GATEWAY_USER", "admin");
    }

    public static String password() {
        return env("GATEWAY_PASSWORD", "admin");
    }

    public static String prometheusUrl() {
        return "http://127.0.0.1:" + env("PROMETHEUS_PORT", "9090");
    }

    /** A request to the gateway that trusts only the generated certificate (no verification is skipped). */
    public static RequestSpecification gateway() {
        if (!Files.isReadable(certificate())) {
            throw new IllegalStateException("No certificate at " + certificate() + ": is the stack started?");
        }
        return RestAssured.given()
                .baseUri(gatewayUrl())
                .config(RestAssured.config().sslConfig(SSLConfig.sslConfig()
                        .trustStore(TrustStores.fromPem(certificate()))));
    }

    /** The same, with the configured basic-auth credentials. */
    public static RequestSpecification authenticated() {
        return gateway().auth().preemptive().basic(user(), password());
    }
}
