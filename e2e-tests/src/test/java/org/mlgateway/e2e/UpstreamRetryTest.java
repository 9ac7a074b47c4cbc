package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that cannot be reached costs no request: a connection that times out (the address of a
 * container or pod that is gone, a server whose accept queue is full) is retried on another server,
 * since nothing was sent; a read or send timeout never is, since the slow server is still computing
 * (SlowServerIT on the running stack). The project's nginx files in a private nginx, with the v1
 * pool a loopback port that accepts no connection and a RecordingUpstream.
 */
class UpstreamRetryTest {

    /**
     * What keeps the retry to connection timeouts: nginx passes a request on only while less than
     * proxy_next_upstream_timeout has passed since its first attempt, and a read or send timeout takes
     * at least its own timeout after the connection.
     */
    @Test
    void onlyAConnectionTimeoutCanBeRetried() throws IOException {
        Duration retryWindow = GatewayFiles.duration("snippets/proxy.conf", "proxy_next_upstream_timeout");
        Duration connect = GatewayFiles.duration("snippets/proxy.conf", "proxy_connect_timeout");
        for (String directive : List.of("proxy_read_timeout", "proxy_send_timeout")) {
            assertTrue(
                    retryWindow.compareTo(GatewayFiles.duration("snippets/proxy.conf", directive)) <= 0,
                    "proxy_next_upstream_timeout " + retryWindow + " is no longer than " + directive);
        }
        assertTrue(connect.compareTo(retryWindow) < 0, "a connection timeout " + connect + " leaves time to retry");
    }

    @Test
    void aServerThatAcceptsNoConnectionCostsNoRequest(@TempDir Path dir) throws Exception {
        List<Socket> held = new ArrayList<>();
        try (RecordingUpstream echo = new RecordingUpstream();
                ServerSocket unreachable = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fillAcceptQueue(unreachable.getLocalPort(), held);
            int echoPort = echo.port();
            try (PrivateGateway gateway = new PrivateGateway(
                    dir, null, Map.of(), echoPort, Map.of(), List.of(unreachable.getLocalPort(), echoPort))) {
                byte[] body = "{\"sentence\": \"I love this!\"}".getBytes(StandardCharsets.UTF_8);
                List<String> headers = List.of(
                        "Host: localhost",
                        "Authorization: " + gateway.basicAuthorization(),
                        "Content-Type: application/json");
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    statuses.add(gateway.sendHttps(RawHttps.request("POST", "/predict", headers, body))
                            .status());
                }

                assertEquals(List.of(200, 200, 200, 200), statuses, "every request answered");
                assertEquals(4, echo.received.size(), "each computed once, by the server that accepts");
                String unreachableAddress = "127.0.0.1:" + unreachable.getLocalPort();
                List<String> retried = new ArrayList<>();
                for (String line : GatewayFiles.wholeLines(gateway.accessLog())) {
                    JsonNode entry = GatewayCalls.JSON.readTree(line);
                    if (entry.path("upstream_addr").asText().startsWith(unreachableAddress + ", ")) {
                        retried.add(entry.path("upstream_addr").asText() + " "
                                + entry.path("upstream_status").asText());
                    }
                }
                assertTrue(
                        !retried.isEmpty() && retried.stream().allMatch(r -> r.endsWith(" 504, 200")),
                        "the request that met the unreachable server was passed on after its connection"
                                + " timed out: " + retried);
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    /** Connections until one times out: from then on the port takes no connection (the kernel drops the SYNs). */
    private static void fillAcceptQueue(int port, List<Socket> held) throws IOException {
        for (int i = 0; i < 8; i++) {
            Socket socket = new Socket();
            held.add(socket);
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
            } catch (SocketTimeoutException full) {
                return;
            }
        }
        throw new AssertionError("port " + port + " still accepts connections after 8 that nobody accepted");
    }
}
