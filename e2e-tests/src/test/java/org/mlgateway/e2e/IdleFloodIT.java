package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.Test;

/**
 * An idle flood does not lock clients out: 5,000 TCP connections to the HTTPS port from one loopback
 * address (127.0.0.3), held without sending a byte (more than the old 2 workers x 2,048 connections),
 * leave a client on another address (127.0.0.4) served within 2 s, and the gateway closes the idle
 * ones itself once client_header_timeout has passed: by 58 s it holds none of them, and every one still
 * open on the client's side is one the kernel dropped before the gateway saw it (a full accept queue).
 * Loopback only, bounded, closes what it opened.
 */
class IdleFloodIT {

    private static final int CONNECTIONS = 5_000;
    private static final String FLOOD_SOURCE = "127.0.0.3";
    private static final String CLIENT_SOURCE = "127.0.0.4";
    /** https://nginx.org/en/docs/http/ngx_http_core_module.html#client_header_timeout */
    private static final Duration NGINX_DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void idleConnectionsDoNotLockOutOtherClientsAndAreClosedByTheHeaderTimeout() throws Exception {
        long fdLimit = openFileLimit();
        assertTrue(
                fdLimit >= CONNECTIONS + 1_000,
                "this test JVM may open " + fdLimit + " files; it needs " + (CONNECTIONS + 1_000)
                        + " (raise `ulimit -n` before running it)");
        Duration headerTimeout = GatewayFiles.duration("snippets/request-limits.conf", "client_header_timeout");
        assertTrue(
                headerTimeout.multipliedBy(2).plusSeconds(10).compareTo(NGINX_DEFAULT_HEADER_TIMEOUT) < 0,
                "client_header_timeout " + headerTimeout
                        + " is too close to Nginx's default for this test to tell them apart");
        InetSocketAddress gateway = new InetSocketAddress("127.0.0.1", StackEnv.httpsPort());
        List<SocketChannel> flood = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            // Open the flood: non-blocking connects, completed within 60 s at most.
            long overflowsBefore = listenOverflows();
            long begin = System.nanoTime();
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel channel = SocketChannel.open();
                flood.add(channel);
                channel.bind(new InetSocketAddress(FLOOD_SOURCE, 0));
                channel.configureBlocking(false);
                if (channel.connect(gateway)) {
                    channel.register(selector, SelectionKey.OP_READ);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT);
                }
            }
            int connected = 0;
            int refused = 0;
            long deadline = begin + Duration.ofSeconds(60).toNanos();
            for (SelectionKey key : selector.keys()) {
                if (key.interestOps() == SelectionKey.OP_READ) {
                    connected++;
                }
            }
            while (connected + refused < CONNECTIONS && System.nanoTime() < deadline) {
                selector.select(1_000);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.isValid() && key.isConnectable()) {
                        try {
                            ((SocketChannel) key.channel()).finishConnect();
                            key.interestOps(SelectionKey.OP_READ);
                            connected++;
                        } catch (IOException e) {
                            key.cancel();
                            refused++;
                        }
                    }
                }
            }
            long opened = System.nanoTime();
            double openSeconds = (opened - begin) / 1e9;
            assertEquals(
                    CONNECTIONS,
                    connected,
                    "idle connections opened from " + FLOOD_SOURCE + " in " + openSeconds + " s (" + refused
                            + " refused)");

            // Another client, another address: served while the flood holds its connections.
            long asked = System.nanoTime();
            int status = predictFrom(CLIENT_SOURCE);
            double secondsTo200 = (System.nanoTime() - asked) / 1e9;

            // The gateway closes the idle ones: count them as they go. Nginx starts each one's timer when it
            // accepts it; connections beyond its listen backlog (4,096) wait in the kernel, which moves them to
            // the accept queue only as earlier ones close (after retransmitted handshakes, seconds apart on a
            // loaded machine). So most must close by twice the header timeout plus the time to open them, and
            // the gateway must hold none of them before the 60 s that Nginx's default client_header_timeout
            // would allow. What the gateway holds is read on its side (/proc/net/tcp): a handshake completed
            // with a SYN cookie while the accept queue was full is dropped by the kernel without a word, so
            // its client-side socket stays open though no server socket exists to close it.
            long firstDeadline =
                    opened + 2 * headerTimeout.toNanos() + Duration.ofSeconds(5).toNanos();
            long closeDeadline = begin
                    + NGINX_DEFAULT_HEADER_TIMEOUT.toNanos()
                    - Duration.ofSeconds(2).toNanos();
            int port = StackEnv.httpsPort();
            int closedByFirstDeadline = -1;
            int closed = 0;
            long nextLook = System.nanoTime();
            ByteBuffer scratch = ByteBuffer.allocate(256);
            while (closed < connected && System.nanoTime() < closeDeadline) {
                if (closedByFirstDeadline < 0 && System.nanoTime() >= firstDeadline) {
                    closedByFirstDeadline = closed;
                }
                if (closedByFirstDeadline >= 0 && System.nanoTime() >= nextLook) {
                    if (held(gatewaySockets(port, FLOOD_SOURCE)) == 0) {
                        break;
                    }
                    nextLook = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
                long nextDeadline = closedByFirstDeadline < 0 ? firstDeadline : Math.min(closeDeadline, nextLook);
                closed += closedWithin(selector, scratch, Math.max(1, (nextDeadline - System.nanoTime()) / 1_000_000));
            }
            Map<String, Long> gatewaySide = gatewaySockets(port, FLOOD_SOURCE);
            long heldByGateway = held(gatewaySide);
            double closedAfter = (System.nanoTime() - begin) / 1e9;
            for (int more = 1; more > 0 && closed < connected; closed += more) {
                more = closedWithin(selector, scratch, 500); // closes already on their way
            }
            if (closedByFirstDeadline < 0) {
                closedByFirstDeadline = closed;
            }
            long listenOverflows = listenOverflows() - overflowsBefore;
            System.out.printf(
                    "Idle flood: %d connections opened from %s in %.1f s; a client on %s got %d in %.2f s;"
                            + " %d closed by the gateway within 2 x client_header_timeout (%d s) + opening + 5 s, %d of %d"
                            + " within %.1f s of the first, the gateway then holding %d (its sockets by state %s); the other %d never reached"
                            + " it (the kernel's accept-queue overflows meanwhile: %d)%n",
                    connected,
                    FLOOD_SOURCE,
                    openSeconds,
                    CLIENT_SOURCE,
                    status,
                    secondsTo200,
                    closedByFirstDeadline,
                    headerTimeout.toSeconds(),
                    closed,
                    connected,
                    closedAfter,
                    heldByGateway,
                    gatewaySide,
                    Math.max(0, connected - closed - heldByGateway),
                    listenOverflows);

            // Its connect and read timeouts are 2 s each: a 200 is an answer within them.
            assertEquals(200, status, "the other client's prediction during the flood");
            assertEquals(
                    0,
                    heldByGateway,
                    "connections from " + FLOOD_SOURCE + " the gateway still held " + closedAfter
                            + " s in, before Nginx's default client_header_timeout of 60 s would have closed them");
            assertTrue(
                    closedByFirstDeadline >= connected / 2,
                    "the gateway closed " + closedByFirstDeadline + " of " + connected
                            + " idle connections by 2 x client_header_timeout + the time to open them + 5 s");
            assertTrue(
                    connected - closed <= listenOverflows,
                    (connected - closed) + " connections were neither closed by the gateway nor dropped by the"
                            + " kernel's full accept queue (" + listenOverflows + " overflows)");
        } finally {
            for (SocketChannel channel : flood) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing is best effort; the JVM's exit closes the rest
                }
            }
        }
    }

    /**
     * The public ports queue a burst of new connections beyond nginx's default backlog of 511: the live
     * listeners' accept queue (Send-Q of `ss -Hltn`) is the templates' backlog, as far as the kernel allows.
     */
    @Test
    void thePublicPortsQueueABurstBeyondNginxsDefaultBacklog() throws Exception {
        Matcher configured = Pattern.compile("listen \\S+:\\$\\{GATEWAY_HTTPS_PORT} [^;]*?backlog=(\\d+);")
                .matcher(Files.readString(StackEnv.projectRoot().resolve("nginx/templates/40-gateway.conf.template")));
        assertTrue(configured.find(), "the HTTPS listen directive sets a backlog");
        int backlog = Integer.parseInt(configured.group(1));
        // By lines: Files.readString reads a file of size 0 one byte first, and a sysctl file answers one read.
        int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn"))
                .get(0)
                .trim());
        List<String> listeners = Command.of("ss", "-Hltn").succeeds().lines().toList();
        for (int port : List.of(StackEnv.httpsPort(), StackEnv.httpPort())) {
            List<Integer> queues = listeners.stream()
                    .map(line -> line.trim().split("\\s+"))
                    .filter(columns -> columns.length >= 4 && columns[3].endsWith(":" + port))
                    .map(columns -> Integer.parseInt(columns[2]))
                    .toList();
            assertEquals(List.of(Math.min(backlog, somaxconn)), queues, "the accept queue of port " + port);
            assertTrue(queues.get(0) > 511, "port " + port + " queues no more than nginx's default of 511");
        }
    }

    private static int predictFrom(String source) throws IOException {
        var tls = TrustStores.sslContext(StackEnv.certificate(), "TLS").getSocketFactory();
        HttpsURLConnection connection =
                (HttpsURLConnection) new URL("https://127.0.0.1:" + StackEnv.httpsPort() + "/predict").openConnection();
        connection.setSSLSocketFactory(new SourceBoundSocketFactory(tls, InetAddress.getByName(source)));
        connection.setConnectTimeout(2_000);
        connection.setReadTimeout(2_000);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Authorization", GatewayCalls.basicAuthorization());
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setRequestProperty("Connection", "close");
        try (OutputStream out = connection.getOutputStream()) {
            out.write("{\"sentence\": \"still there?\"}".getBytes(StandardCharsets.UTF_8));
        }
        int status = connection.getResponseCode();
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            if (in != null) {
                in.readAllBytes();
            }
        }
        return status;
    }

    /** Waits up to {@code millis} for closes and counts the connections that were closed (EOF or RST). */
    private static int closedWithin(Selector selector, ByteBuffer scratch, long millis) throws IOException {
        int closed = 0;
        selector.select(millis);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            if (key.isValid() && key.isReadable()) {
                int read;
                try {
                    scratch.clear();
                    read = ((SocketChannel) key.channel()).read(scratch);
                } catch (IOException reset) {
                    read = -1; // a reset: the close of a connection whose request had begun
                }
                if (read < 0) {
                    key.cancel();
                    closed++;
                }
            }
        }
        return closed;
    }

    /** TCP states in /proc/net/tcp (include/net/tcp_states.h), by their hex code. */
    private static final Map<String, String> TCP_STATES = Map.ofEntries(
            Map.entry("01", "ESTABLISHED"),
            Map.entry("02", "SYN_SENT"),
            Map.entry("03", "SYN_RECV"),
            Map.entry("04", "FIN_WAIT1"),
            Map.entry("05", "FIN_WAIT2"),
            Map.entry("06", "TIME_WAIT"),
            Map.entry("07", "CLOSE"),
            Map.entry("08", "CLOSE_WAIT"),
            Map.entry("09", "LAST_ACK"),
            Map.entry("0A", "LISTEN"),
            Map.entry("0B", "CLOSING"));

    /**
     * The gateway's sockets on its HTTPS port with a peer on {@code peer}, counted by TCP state, from /proc/net/tcp
     * (addresses in hex, IPv4 little-endian). Those it has open or the kernel queues for it are ESTABLISHED,
     * SYN_RECV and CLOSE_WAIT; FIN_WAIT and TIME_WAIT are ones it has closed and the kernel winds down.
     */
    private static Map<String, Long> gatewaySockets(int port, String peer) throws IOException {
        byte[] ip = InetAddress.getByName(peer).getAddress();
        String peerHex = String.format("%02X%02X%02X%02X", ip[3], ip[2], ip[1], ip[0]);
        String portHex = String.format(":%04X", port);
        Map<String, Long> states = new TreeMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3
                        && fields[1].endsWith(portHex)
                        && fields[2].startsWith(peerHex, fields[2].indexOf(':') - 8)) {
                    states.merge(TCP_STATES.getOrDefault(fields[3], fields[3]), 1L, Long::sum);
                }
            }
        }
        return states;
    }

    /** How many of the gateway's sockets (by state, as gatewaySockets counts them) it still has open or will be handed. */
    private static long held(Map<String, Long> states) {
        return Stream.of("ESTABLISHED", "SYN_RECV", "CLOSE_WAIT")
                .mapToLong(state -> states.getOrDefault(state, 0L))
                .sum();
    }

    /** The kernel's count of handshakes dropped because a listening socket's accept queue was full. */
    private static long listenOverflows() throws IOException {
        List<String> netstat = Files.readAllLines(Path.of("/proc/net/netstat"));
        for (int i = 0; i + 1 < netstat.size(); i += 2) {
            String[] names = netstat.get(i).split("\\s+");
            String[] values = netstat.get(i + 1).split("\\s+");
            for (int j = 1; j < names.length; j++) {
                if (names[0].equals("TcpExt:") && names[j].equals("ListenOverflows")) {
                    return Long.parseLong(values[j]);
                }
            }
        }
        throw new IllegalStateException("no TcpExt ListenOverflows in /proc/net/netstat");
    }

    /** The soft limit on open files of this JVM (/proc/self/limits). */
    private static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IllegalStateException("no open-file limit in /proc/self/limits");
    }
}
