package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The security promises of the deployment, checked on the running stack: old TLS refused, no
 * version disclosed, HSTS, internal ports on loopback only, the private key private and untracked,
 * and the servers' own endpoints not reachable through the gateway. Each probe is also shown to
 * detect what it looks for, so a passing run means something.
 */
class SecurityIT {

    // --- TLS -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"-tls1", "-tls1_1"})
    void oldTlsVersionsAreRefused(String version) throws Exception {
        TlsProbe.Handshake handshake = handshake(StackEnv.httpsPort(), version);

        assertFalse(handshake.negotiated(), version + " must be refused:\n" + handshake.output());
        assertTrue(handshake.output().contains("alert protocol version"), handshake.output());
    }

    /** The control: the same probe against a server that still speaks the old versions does connect. */
    @ParameterizedTest
    @ValueSource(strings = {"-tls1", "-tls1_1"})
    void theProbeDetectsAServerThatAcceptsOldTls(String version, @TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        PrivateGateway.selfSignedCertificate(dir.resolve("key"), dir.resolve("crt"));
        Process oldServer = new ProcessBuilder(
                        "openssl",
                        "s_server",
                        "-accept",
                        "127.0.0.1:" + port,
                        version,
                        "-cipher",
                        "DEFAULT@SECLEVEL=0",
                        "-key",
                        dir.resolve("key").toString(),
                        "-cert",
                        dir.resolve("crt").toString(),
                        "-naccept",
                        "1")
                .redirectErrorStream(true)
                .start(); // stdin stays open: s_server quits on its EOF
        try {
            var lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(oldServer.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = lines.readLine();
            } while (line != null && !line.equals("ACCEPT"));
            assertEquals("ACCEPT", line, "openssl s_server is listening");

            TlsProbe.Handshake handshake = handshake(port, version);

            assertTrue(handshake.negotiated(), version + " against an old server:\n" + handshake.output());
        } finally {
            oldServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** OpenSSL's client at security level 0 (TlsProbe: output to a file, so its timeout holds). */
    private static TlsProbe.Handshake handshake(int port, String versionFlag) throws IOException, InterruptedException {
        return TlsProbe.handshake(port, versionFlag, null);
    }

    /**
     * The control for the timeout: a probe of a server that accepts and never answers is killed at
     * the probe's timeout and reported, not waited for.
     */
    @Test
    void theProbeTimesOutOnAServerThatNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            AssertionError timedOut = org.junit.jupiter.api.Assertions.assertThrows(
                    AssertionError.class, () -> handshake(silent.getLocalPort(), "-tls1_2"));
            assertTrue(
                    timedOut.getMessage().contains("did not finish within " + TlsProbe.TIMEOUT_SECONDS + " s"),
                    timedOut.getMessage());
        }
    }

    // --- response headers ------------------------------------------------------------------------

    @Test
    void everyKindOfAnswerNamesNoVersionAndCarriesHsts() {
        Map<String, Response> answers = new TreeMap<>();
        answers.put("static 200", StackEnv.gateway().get("/gateway-health"));
        GatewayCalls.paceBelowRateLimit();
        answers.put("proxied 200", GatewayCalls.predict("I love this!", null));
        GatewayCalls.paceBelowRateLimit();
        answers.put(
                "proxied 422",
                StackEnv.authenticated()
                        .contentType(ContentType.JSON)
                        .body("{}")
                        .post("/predict"));
        GatewayCalls.paceBelowRateLimit();
        answers.put(
                "401",
                StackEnv.gateway().contentType(ContentType.JSON).body("{}").post("/predict"));
        answers.put("404", StackEnv.gateway().get("/nothing"));
        answers.put("405", StackEnv.gateway().get("/predict"));

        answers.forEach((what, response) -> {
            assertEquals("nginx", response.header("Server"), what + ": the Server header names no version");
            assertNull(response.header("X-Powered-By"), what);
            String hsts = response.header("Strict-Transport-Security");
            assertNotNull(hsts, what + ": HSTS");
            Matcher maxAge = Pattern.compile("max-age=(\\d+)").matcher(hsts);
            assertTrue(maxAge.find() && Long.parseLong(maxAge.group(1)) >= 31_536_000L, what + ": " + hsts);
        });
        assertEquals(200, answers.get("proxied 200").statusCode(), "the proxied request was answered");
    }

    // --- listening sockets -----------------------------------------------------------------------

    /** Every internal port of the stack: the API servers, admin console, stub_status, exporter, Prometheus, Alertmanager. */
    private static Map<String, Integer> internalPorts() {
        Map<String, Integer> ports = new TreeMap<>();
        int replicas = StackEnv.intSetting("V1_REPLICAS");
        int base = StackEnv.intSetting("V1_BASE_PORT");
        for (int i = 0; i < replicas; i++) {
            ports.put("api-v1-" + (i + 1), base + i);
        }
        ports.put("api-v2", StackEnv.intSetting("V2_PORT"));
        ports.put("admin console", StackEnv.intSetting("ADMIN_CONSOLE_PORT"));
        ports.put("stub_status", StackEnv.intSetting("STUB_STATUS_PORT"));
        ports.put("nginx exporter", StackEnv.intSetting("EXPORTER_PORT"));
        ports.put("Prometheus", StackEnv.intSetting("PROMETHEUS_PORT"));
        ports.put("Alertmanager", StackEnv.intSetting("ALERTMANAGER_PORT"));
        return ports;
    }

    /**
     * Whatever a program of the stack listens on, it is loopback, but for the gateway's own two ports:
     * also a port nobody configured (Alertmanager's cluster port 9094, on every interface by default).
     */
    @Test
    void noProgramOfTheStackListensBeyondLoopbackButTheGateway() throws Exception {
        java.util.Set<String> pids = new java.util.HashSet<>();
        for (String line : StackServers.supervisorctl("pid", "all").lines().toList()) {
            if (line.trim().matches("[1-9][0-9]*")) {
                long pid = Long.parseLong(line.trim());
                pids.add(String.valueOf(pid));
                ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(String.valueOf(d.pid()))));
            }
        }
        assertTrue(pids.size() > 6, "the stack's processes: " + pids);
        Set<Integer> gatewayPorts = Set.of(StackEnv.httpPort(), StackEnv.httpsPort());
        Set<Integer> localJmx = localJmxConnectorPorts();
        List<String> beyond = new ArrayList<>();
        for (String line : Command.of("ss", "-Hltnp").succeeds().lines().toList()) {
            Matcher pid = Pattern.compile("pid=(\\d+)").matcher(line);
            boolean ours = false;
            while (pid.find()) {
                ours |= pids.contains(pid.group(1));
            }
            String[] columns = line.trim().split("\\s+");
            String local = columns[3];
            int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
            String address = local.substring(0, local.lastIndexOf(':'));
            if (ours
                    && !isLoopback(address)
                    && !gatewayPorts.contains(port)
                    && !(line.contains("\"java\"") && localJmx.contains(port))) {
                beyond.add(line.trim());
            }
        }
        assertEquals(
                List.of(),
                beyond,
                "the stack's programs listening beyond loopback (local JMX connectors let through: " + localJmx + ")");
    }

    /**
     * The ports of the servers' local JMX connectors: each server's workarea/com.ibm.ws.jmx.local.address
     * holds service:jmx:rmi://127.0.0.1/stub/BASE64, a serialised RMI stub whose UnicastRef2 names host and port.
     */
    static Set<Integer> localJmxConnectorPorts() throws IOException {
        Set<Integer> ports = new java.util.TreeSet<>();
        Path servers = StackEnv.stateDir().resolve("liberty/usr/servers");
        try (var dirs = Files.list(servers)) {
            for (Path file : dirs.map(d -> d.resolve("workarea/com.ibm.ws.jmx.local.address"))
                    .filter(Files::isRegularFile)
                    .toList()) {
                String url = Files.readString(file).trim();
                byte[] stub =
                        java.util.Base64.getDecoder().decode(url.substring(url.indexOf("/stub/") + "/stub/".length()));
                String text = new String(stub, StandardCharsets.ISO_8859_1);
                int at = text.indexOf("UnicastRef2") + "UnicastRef2".length() + 1; // then a format byte
                int hostLength = ((stub[at] & 0xff) << 8) | (stub[at + 1] & 0xff);
                int portAt = at + 2 + hostLength;
                ports.add(((stub[portAt] & 0xff) << 24)
                        | ((stub[portAt + 1] & 0xff) << 16)
                        | ((stub[portAt + 2] & 0xff) << 8)
                        | (stub[portAt + 3] & 0xff));
            }
        }
        return ports;
    }

    @Test
    void internalPortsListenOnLoopbackOnly() throws Exception {
        List<String> listeners = Command.of("ss", "-Hltn").succeeds().lines().toList();

        internalPorts().forEach((name, port) -> {
            List<String> addresses = localAddresses(listeners, port);
            assertFalse(addresses.isEmpty(), name + " listens on port " + port + " (is the stack up?)");
            for (String address : addresses) {
                assertTrue(isLoopback(address), name + " listens on " + address + ":" + port + ", beyond loopback");
            }
        });
    }

    /** The control: the parser sees wildcard and external listeners for what they are. */
    @Test
    void theListenerCheckRecognisesNonLoopbackAddresses() {
        List<String> sample = List.of(
                "LISTEN 0      4096       127.0.0.1:9090       0.0.0.0:*",
                "LISTEN 0      4096         0.0.0.0:9113       0.0.0.0:*",
                "LISTEN 0      50                 *:9081             *:*",
                "LISTEN 0      511     192.168.1.5:8081       0.0.0.0:*",
                "LISTEN 0      511           [::1]:9443          [::]:*",
                "LISTEN 0      511            [::]:9084          [::]:*");

        assertEquals(List.of("127.0.0.1"), localAddresses(sample, 9090));
        assertTrue(isLoopback("127.0.0.1") && isLoopback("[::1]") && isLoopback("127.0.0.2"));
        for (int port : List.of(9113, 9081, 8081, 9084)) {
            assertFalse(localAddresses(sample, port).stream().allMatch(SecurityIT::isLoopback), "port " + port);
        }
    }

    /** The local addresses (column 4 of `ss -Hltn`) that listen on the port. */
    static List<String> localAddresses(List<String> ssLines, int port) {
        List<String> addresses = new ArrayList<>();
        for (String line : ssLines) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length < 4) {
                continue;
            }
            String local = columns[3];
            int colon = local.lastIndexOf(':');
            if (local.substring(colon + 1).equals(String.valueOf(port))) {
                addresses.add(local.substring(0, colon).replaceFirst("%.*$", ""));
            }
        }
        return addresses;
    }

    static boolean isLoopback(String address) {
        return address.startsWith("127.") || address.equals("[::1]") || address.equals("[::ffff:127.0.0.1]");
    }

    // --- the private key -------------------------------------------------------------------------

    @Test
    void privateKeyIsReadableByItsOwnerOnly() throws IOException {
        Path key = StackEnv.stateDir().resolve("certs/gateway.key");

        assertTrue(Files.isRegularFile(key), key + " exists");
        assertEquals(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(key),
                key + " has mode 600");
    }

    /** The secrets the native stack writes (paths as in scripts/lib/certs.sh, nginx.sh, liberty.sh). */
    @Test
    void secretFilesAreReadableByTheirOwnerOnly() throws IOException {
        Set<PosixFilePermission> ownerOnly = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        Path state = StackEnv.stateDir();
        Map<String, Path> secrets = new TreeMap<>();
        secrets.put("admin keystore password", state.resolve("liberty/admin-keystore.password"));
        List<StackServers.Server> servers = new ArrayList<>(StackServers.v1());
        servers.add(StackServers.v2());
        for (StackServers.Server server : servers) {
            secrets.put(
                    server.name() + " server.env",
                    state.resolve("liberty/usr/servers/" + server.name() + "/server.env"));
        }
        secrets.forEach((what, file) -> {
            assertTrue(Files.isRegularFile(file), what + ": " + file + " exists");
            try {
                assertEquals(ownerOnly, Files.getPosixFilePermissions(file), what + ": " + file + " has mode 600");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        // htpasswd: where the rendered gateway reads it; 600, or 640 with group www-data for the workers.
        String gateway = Files.readString(state.resolve("nginx/conf.d/40-gateway.conf"));
        Matcher userFile =
                Pattern.compile("auth_basic_user_file\\s+\"?([^\";\\s]+)\"?;").matcher(gateway);
        assertTrue(userFile.find(), "the rendered gateway names its htpasswd file");
        Path htpasswd = Path.of(userFile.group(1));
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(htpasswd);
        String group = Files.readAttributes(htpasswd, java.nio.file.attribute.PosixFileAttributes.class)
                .group()
                .getName();
        boolean groupReadable = mode.equals(Set.of(
                        PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.GROUP_READ))
                && group.equals("www-data");
        assertTrue(
                mode.equals(ownerOnly) || groupReadable,
                htpasswd + " is 600, or 640 with group www-data: "
                        + java.nio.file.attribute.PosixFilePermissions.toString(mode) + " group " + group);
    }

    @Test
    void noSecretIsTrackedOrTrackableByGit() throws Exception {
        Path root = StackEnv.projectRoot();
        List<String> tracked = Command.of("git", "-C", root.toString(), "ls-files")
                .succeeds()
                .lines()
                .toList();

        for (String file : tracked) {
            assertFalse(file.matches("(?i).*(\\.key|\\.pem|\\.p12|\\.jks|htpasswd)$"), "tracked secret: " + file);
            assertFalse(file.startsWith("state/"), "tracked run-time state: " + file);
        }
        // The default location is ignored, and so is the current one when it lies inside the repository.
        List<Path> keys =
                new ArrayList<>(List.of(root.resolve("state/certs/gateway.key"), root.resolve("state/nginx/htpasswd")));
        Path current = StackEnv.stateDir()
                .resolve("certs/gateway.key")
                .toAbsolutePath()
                .normalize();
        if (current.startsWith(root)) {
            keys.add(current);
        }
        for (Path key : keys) {
            Command.Result check = Command.of(
                            "git",
                            "-C",
                            root.toString(),
                            "check-ignore",
                            "-q",
                            root.relativize(key).toString())
                    .run();
            assertEquals(0, check.exitCode(), root.relativize(key) + " is ignored by git: " + check.output());
        }
    }

    // --- the servers' own endpoints ---------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/metrics",
                "/health",
                "/health/ready",
                "/health/live",
                "/openapi",
                "/openapi/ui/",
                "/adminCenter/",
                "/nginx_status",
                "/ibm/api/"
            })
    void serverEndpointsAreNotProxiedWithOrWithoutCredentials(String path) {
        for (RequestSpecification client : List.of(StackEnv.gateway(), StackEnv.authenticated())) {
            for (String method : List.of("GET", "POST")) {
                // In the debug group, which is told X-Served-By: had a server answered, it would say so.
                Response response = client.header("X-Experiment-Group", "debug").request(method, path);

                assertEquals(404, response.statusCode(), method + " " + path + ": " + response.asString());
                assertTrue(response.contentType().startsWith("application/json"), response.contentType());
                assertEquals(
                        "not_found", GatewayCalls.json(response).path("error").asText());
                assertNull(response.header("X-Served-By"), "no API server answered " + method + " " + path);
            }
        }
    }
}
