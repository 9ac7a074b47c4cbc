package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the gateway speaks: HTTP only to redirect, TLS 1.2 and 1.3 only, security headers. */
class GatewayTransportIT {

    @Test
    void plainHttpRedirectsToHttpsKeepingPathAndQuery() throws Exception {
        String pathAndQuery = "/predict?lang=en&note=a%20b";
        HttpResponse<Void> response = GatewayCalls.httpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + StackEnv.httpPort() + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.discarding());

        assertEquals(301, response.statusCode());
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        assertEquals("https", location.getScheme());
        assertEquals("localhost", location.getHost());
        int port = location.getPort() == -1 ? 443 : location.getPort();
        assertEquals(StackEnv.httpsPort(), port);
        assertEquals("/predict", location.getRawPath());
        assertEquals("lang=en&note=a%20b", location.getRawQuery());
    }

    @Test
    void tls11IsRefused() throws Exception {
        Handshake handshake = handshake("-tls1_1");
        assertNotEquals(0, handshake.exitCode, "TLS 1.1 handshake must fail:\n" + handshake.output);
        assertTrue(!handshake.output.contains("Cipher is ECDHE") && !handshake.output.contains("Cipher is AES"),
                "no cipher was negotiated:\n" + handshake.output);
    }

    @Test
    void tls12AndTls13AreAccepted() throws Exception {
        // The control for the test above: the same probe succeeds where the policy allows it.
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            Handshake handshake = handshake(version);
            assertEquals(0, handshake.exitCode, version + " handshake:\n" + handshake.output);
            assertTrue(handshake.output.contains("Verify return code: 0 (ok)"), handshake.output);
        }
    }

    @Test
    void securityHeadersAreSentAndVersionHidden() {
        var response = StackEnv.gateway().get("/gateway-health");

        assertEquals(200, response.statusCode());
        assertEquals("UP", GatewayCalls.json(response).get("status").asText());
        assertTrue(response.header("Strict-Transport-Security").startsWith("max-age="));
        assertEquals("nosniff", response.header("X-Content-Type-Options"));
        assertEquals("nginx", response.header("Server"), "server_tokens off hides the version");
    }

    private record Handshake(int exitCode, String output) {
    }

    /**
     * OpenSSL's s_client, which (unlike the JDK's defaults) can still offer TLS 1.1: security level 0
     * allows the old protocol on the client side, so only the gateway's policy can refuse it.
     */
    private static Handshake handshake(String versionFlag) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + StackEnv.httpsPort(),
                "-servername", "localhost", versionFlag, "-cipher", "DEFAULT@SECLEVEL=0",
                "-CAfile", StackEnv.certificate().toString())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("openssl s_client " + versionFlag + " did not finish");
        }
        return new Handshake(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
