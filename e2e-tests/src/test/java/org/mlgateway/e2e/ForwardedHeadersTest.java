package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a server behind the gateway learns about a request is the gateway's word, not the client's:
 * the project's nginx files (snippets/proxy.conf and proxy-allowed-headers.conf through the real
 * /predict location) run in a private nginx in front of a loopback echo server that records every
 * header it receives. A client's Authorization, Cookie, X-Forwarded-For and Host never arrive as sent;
 * the gateway's own token does. The other way, which server and model answered (X-Served-By,
 * X-Model-Version) reach the debug group only. Also the redirect of the port-80 server: no port for
 * the default HTTPS port, the port otherwise.
 */
class ForwardedHeadersTest {

    @Test
    void clientHeadersNeverReachAServerAsSent(@TempDir Path dir) throws Exception {
        ConcurrentLinkedQueue<Map<String, List<String>>> received = new ConcurrentLinkedQueue<>();
        HttpServer echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        echo.createContext("/", exchange -> {
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            received.add(headers);
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"prediction value\": \"love\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Served-By", "api-echo");
            exchange.getResponseHeaders().add("X-Model-Version", "0123456789ab");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        echo.start();
        try (PrivateGateway gateway =
                new PrivateGateway(dir, null, Map.of(), echo.getAddress().getPort())) {
            byte[] body = "{\"sentence\": \"I love this!\"}".getBytes(StandardCharsets.UTF_8);
            for (String group : List.of("none", "debug")) {
                received.clear();
                List<String> headers = new java.util.ArrayList<>(List.of(
                        "Host: evil.example",
                        "Authorization: " + gateway.basicAuthorization(),
                        "Cookie: session=stolen",
                        "X-Forwarded-For: 6.6.6.6, 10.0.0.1",
                        "X-Real-IP: 6.6.6.6",
                        "Forwarded: for=6.6.6.6",
                        "X-Gateway-Token: forged-by-the-client",
                        "Content-Type: application/json"));
                if (group.equals("debug")) {
                    headers.add("X-Experiment-Group: debug");
                }
                RawHttps.Reply reply = gateway.sendHttps(RawHttps.request("POST", "/predict", headers, body));

                assertEquals(200, reply.status(), group + ": the echo server answered through the gateway: " + reply);
                assertEquals(1, received.size(), group + ": exactly one request reached the server (no retry)");
                Map<String, List<String>> seen = received.peek();
                String upstream = group.equals("debug") ? "api_v2" : "api_v1";
                assertEquals(
                        List.of(upstream),
                        seen.get("host"),
                        group + ": Host is the upstream's name, not the client's: " + seen);
                assertEquals(
                        List.of("127.0.0.1"),
                        seen.get("x-forwarded-for"),
                        group + ": X-Forwarded-For is the address nginx saw: " + seen);
                assertEquals(List.of("127.0.0.1"), seen.get("x-real-ip"), group + ": " + seen);
                assertNull(
                        seen.get("authorization"), group + ": the gateway's credentials stop at the gateway: " + seen);
                assertNull(seen.get("cookie"), group + ": cookies stop at the gateway: " + seen);
                assertNull(seen.get("forwarded"), group + ": " + seen);
                assertNull(seen.get("x-experiment-group"), group + ": " + seen);
                assertEquals(
                        List.of("application/json"),
                        seen.get("content-type"),
                        group + ": the body's type is passed on");
                assertNotNull(seen.get("x-request-id"), group + ": " + seen);
                assertEquals(
                        List.of(gateway.gatewayToken),
                        seen.get("x-gateway-token"),
                        group + ": the gateway's token arrives: " + seen);
                if (group.equals("debug")) {
                    assertEquals(
                            "api-echo",
                            reply.header("X-Served-By"),
                            "the debug group is told which server answered: " + reply);
                    assertEquals("0123456789ab", reply.header("X-Model-Version"), "and which model: " + reply);
                } else {
                    assertNull(
                            reply.header("X-Served-By"),
                            "an ordinary client is not told which server answered: " + reply);
                    assertNull(reply.header("X-Model-Version"), "nor which model: " + reply);
                }
                assertFalse(
                        seen.toString().contains("6.6.6.6")
                                || seen.toString().contains("evil.example")
                                || seen.toString().contains("stolen"),
                        group + ": nothing the client made up arrives: " + seen);
            }
        } finally {
            echo.stop(0);
        }
    }

    @Test
    void redirectNamesANonDefaultHttpsPort(@TempDir Path dir) throws Exception {
        try (PrivateGateway gateway = new PrivateGateway(dir, null, Map.of(), 9)) {
            RawHttps.Reply reply =
                    gateway.sendHttp(RawHttps.request("GET", "/predict?x=1", List.of("Host: localhost"), null));

            assertEquals(301, reply.status(), reply.toString());
            assertEquals("https://localhost:" + gateway.httpsPort + "/predict?x=1", reply.header("Location"));
        }
    }

    /** Port 443 is the stack's, so this instance runs the redirect server alone (no HTTPS server is rendered). */
    @Test
    void redirectNamesNoPortForTheDefaultHttpsPort(@TempDir Path dir) throws Exception {
        List<String> withoutHttpsServer = List.of(
                "00-logging.conf.template",
                "05-trace-context.conf.template",
                "10-rate-limit.conf.template",
                "15-error-responses.conf.template",
                "20-upstreams.conf.template",
                "30-http-redirect.conf.template");
        try (PrivateGateway gateway =
                new PrivateGateway(dir, withoutHttpsServer, Map.of("GATEWAY_HTTPS_PORT", "443"), 9)) {
            RawHttps.Reply reply = gateway.sendHttp(
                    RawHttps.request("GET", "/predict?x=1", List.of("Host: localhost:" + gateway.httpPort), null));

            assertEquals(301, reply.status(), reply.toString());
            assertEquals("https://localhost/predict?x=1", reply.header("Location"));
            assertTrue(
                    reply.header("Location").indexOf(':', "https:".length()) < 0,
                    "no :443 in " + reply.header("Location"));
        }
    }
}
