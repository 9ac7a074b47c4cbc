package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the gateway speaks: HTTP only to redirect, TLS 1.2 and 1.3 only, security headers. */
class GatewayTransportIT {

    @Test
    void plainHttpRedirectsToHttpsKeepingPathAndQuery() throws Exception {
        String pathAndQuery = "/predict?lang=en&note=a%20b";
        HttpResponse<Void> response = GatewayCalls.httpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + StackEnv.httpPort() + pathAndQuery))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());

        assertEquals(301, response.statusCode());
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        assertEquals("https", location.getScheme());
        assertEquals("localhost", location.getHost());
        // The default port is not named (https://localhost/...); any other is.
        assertEquals(StackEnv.httpsPort() == 443 ? -1 : StackEnv.httpsPort(), location.getPort(), location.toString());
        assertEquals("/predict", location.getRawPath());
        assertEquals("lang=en&note=a%20b", location.getRawQuery());
    }

    @Test
    void tls11IsRefused() throws Exception {
        // The control first: the same probe, TLS 1.2, connects, so a refusal below is the policy's.
        TlsProbe.Handshake control = handshake("-tls1_2");
        assertTrue(control.negotiated(), "TLS 1.2 with the same probe:\n" + control.output());

        TlsProbe.Handshake handshake = handshake("-tls1_1");
        assertFalse(handshake.negotiated(), "TLS 1.1 handshake must fail:\n" + handshake.output());
        assertTrue(
                handshake.protocolAlert(),
                "the gateway refuses TLS 1.1 with a protocol_version alert, not" + " some other failure:\n"
                        + handshake.output());
    }

    @Test
    void tls12AndTls13AreAccepted() throws Exception {
        // The control for the test above: the same probe succeeds where the policy allows it.
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            TlsProbe.Handshake handshake = handshake(version);
            assertTrue(handshake.negotiated(), version + " handshake:\n" + handshake.output());
            assertTrue(handshake.output().contains("Verify return code: 0 (ok)"), handshake.output());
        }
    }

    @Test
    void securityHeadersAreSentAndVersionHidden() {
        var response = StackEnv.gateway().get("/gateway-health");

        assertEquals(200, response.statusCode());
        assertEquals("UP", GatewayCalls.json(response).get("status").asText());
        String hsts = response.header("Strict-Transport-Security");
        java.util.regex.Matcher maxAge = java.util.regex.Pattern.compile("(?:^|;)\\s*max-age=(\\d+)\\s*(?:;|$)")
                .matcher(hsts == null ? "" : hsts);
        assertTrue(maxAge.find(), "HSTS with a max-age: " + hsts);
        assertTrue(Long.parseLong(maxAge.group(1)) >= 31_536_000L, "HSTS for at least a year: " + hsts);
        assertEquals("nosniff", response.header("X-Content-Type-Options"));
        assertEquals("nginx", response.header("Server"), "server_tokens off hides the version");
    }

    /** The probe against the gateway, verifying its certificate. */
    private static TlsProbe.Handshake handshake(String versionFlag) throws IOException, InterruptedException {
        return TlsProbe.handshake(
                StackEnv.httpsPort(), versionFlag, StackEnv.certificate().toString());
    }
}
