package org.mlgateway.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A private nginx for static tests: the project's own nginx/ templates and snippets, rendered the way
 * scripts/lib/nginx.sh renders them (every stack.env setting plus the path variables, nginx's own
 * $variables left alone), into a temporary folder, on free loopback ports, with upstreams the test
 * chooses, run from the nginx on PATH. It never touches the stack's state folder or ports.
 * A missing nginx is a failure with a clear message, never a silent skip.
 */
final class PrivateGateway implements AutoCloseable {

    private static final Pattern SETTING = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");
    private static final Path NGINX = StackEnv.projectRoot().resolve("nginx");

    final Path dir;
    final int httpPort;
    final int httpsPort;
    final String user = "tester";
    final String password = "private-test-password";
    /** As the native stack's gateway-token.d/ holds it (scripts/lib/nginx.sh), with a throw-away token. */
    final String gatewayToken = "0123456789abcdef0123456789abcdef";

    private final Process process;

    /**
     * Renders and starts nginx. {@code templates} are the file names under nginx/templates to render
     * (null: all); {@code settings} override stack.env's; {@code upstreamPort} is where both upstream
     * groups send requests (a test server of the caller's). GATEWAY_HTTP_PORT and GATEWAY_HTTPS_PORT
     * default to free ports.
     */
    PrivateGateway(Path dir, List<String> templates, Map<String, String> settings, int upstreamPort)
            throws IOException, InterruptedException {
        this(dir, templates, settings, upstreamPort, Map.of());
    }

    /** As above, with files of the test's own in conf.d (name to content) beside the rendered ones. */
    PrivateGateway(
            Path dir,
            List<String> templates,
            Map<String, String> settings,
            int upstreamPort,
            Map<String, String> extraConf)
            throws IOException, InterruptedException {
        this(dir, templates, settings, upstreamPort, extraConf, List.of(upstreamPort));
    }

    /** As above, with the v1 pool of its own: a server on each of {@code v1Ports}, in that order. */
    PrivateGateway(
            Path dir,
            List<String> templates,
            Map<String, String> settings,
            int upstreamPort,
            Map<String, String> extraConf,
            List<Integer> v1Ports)
            throws IOException, InterruptedException {
        this.dir = dir;
        String nginx = nginxBinary();
        Map<String, String> values = new HashMap<>(StackEnv.readStackEnv());
        values.put("GATEWAY_BIND", "127.0.0.1");
        int[] ports = freePorts(3);
        values.put("GATEWAY_HTTP_PORT", String.valueOf(ports[0]));
        values.put("GATEWAY_HTTPS_PORT", String.valueOf(ports[1]));
        values.put("STUB_STATUS_PORT", String.valueOf(ports[2]));
        values.putAll(settings);
        httpPort = Integer.parseInt(values.get("GATEWAY_HTTP_PORT"));
        httpsPort = Integer.parseInt(values.get("GATEWAY_HTTPS_PORT"));
        boolean root = "root".equals(System.getProperty("user.name"));
        values.put(
                "NGINX_USER_DIRECTIVE",
                root ? "user nobody " + (groupExists("nogroup") ? "nogroup" : "nobody") + ";" : "");
        values.put("NGINX_STATE_DIR", dir.toString());
        values.put("NGINX_WORKER_DIR", dir.toString());
        values.put("NGINX_LOG_DIR", dir.resolve("logs").toString());
        values.put("NGINX_CERT_DIR", dir.resolve("certs").toString());
        values.put("NGINX_HTPASSWD_FILE", dir.resolve("htpasswd").toString());
        values.put("STUB_STATUS_LISTEN", "127.0.0.1:" + values.get("STUB_STATUS_PORT"));

        for (String sub : List.of(
                "conf.d",
                "snippets",
                "upstreams",
                "logs",
                "certs",
                "tmp/client_body",
                "tmp/proxy",
                "tmp/fastcgi",
                "tmp/uwsgi",
                "tmp/scgi")) {
            Files.createDirectories(dir.resolve(sub));
        }
        // The workers (nobody, when the test runs as root) read the htpasswd file: a throw-away password.
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        writeHtpasswd(dir, user + ":{PLAIN}" + password + "\n");
        selfSignedCertificate(dir.resolve("certs/gateway.key"), dir.resolve("certs/gateway.crt"));

        Files.writeString(dir.resolve("nginx.conf"), render(NGINX.resolve("nginx.conf.template"), values));
        try (Stream<Path> files = Files.list(NGINX.resolve("templates"))) {
            for (Path template : files.filter(p -> p.toString().endsWith(".conf.template"))
                    .sorted()
                    .toList()) {
                String name = template.getFileName().toString();
                if (templates == null || templates.contains(name)) {
                    Files.writeString(
                            dir.resolve("conf.d").resolve(name.replace(".template", "")), render(template, values));
                }
            }
        }
        try (Stream<Path> files = Files.list(NGINX.resolve("snippets"))) {
            for (Path snippet : files.toList()) {
                Files.copy(snippet, dir.resolve("snippets").resolve(snippet.getFileName()));
            }
        }
        for (Map.Entry<String, String> extra : extraConf.entrySet()) {
            Files.writeString(dir.resolve("conf.d").resolve(extra.getKey()), extra.getValue());
        }
        StringBuilder v1 = new StringBuilder();
        v1Ports.forEach(port -> v1.append("server 127.0.0.1:" + port + " max_fails=2 fail_timeout=10s;\n"));
        Files.writeString(dir.resolve("upstreams/api-v1.conf"), v1);
        Files.writeString(
                dir.resolve("upstreams/api-v2.conf"),
                "server 127.0.0.1:" + upstreamPort + " max_fails=2 fail_timeout=10s;\n");
        Files.writeString(
                dir.resolve("upstreams/api-candidate.conf"),
                "server 127.0.0.1:" + upstreamPort + " max_fails=2 fail_timeout=10s;\n");
        Files.copy(
                StackEnv.projectRoot().resolve("docker/nginx/upstreams/delivery.conf"),
                dir.resolve("upstreams/delivery.conf"));
        Files.createDirectories(dir.resolve("gateway-token.d"));
        Files.writeString(
                dir.resolve("gateway-token.d/token.conf"),
                "proxy_set_header X-Gateway-Token \"" + gatewayToken + "\";\n");

        process = new ProcessBuilder(
                        nginx,
                        "-p",
                        dir.toString(),
                        "-e",
                        dir.resolve("logs/error.log").toString(),
                        "-c",
                        dir.resolve("nginx.conf").toString(),
                        "-g",
                        "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/nginx.out").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!listening(httpPort)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new AssertionError(
                        "the private nginx did not start: " + Files.readString(dir.resolve("logs/nginx.out"))
                                + Files.readString(dir.resolve("logs/error.log")));
            }
            Thread.sleep(100);
        }
    }

    /** The nginx on PATH (the same one the native stack runs); fails, never skips, without it. */
    static String nginxBinary() {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String candidate : List.of(folder + "/nginx")) {
                if (Files.isExecutable(Path.of(candidate))) {
                    return candidate;
                }
            }
        }
        for (String fallback : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx")) {
            if (Files.isExecutable(Path.of(fallback))) {
                return fallback;
            }
        }
        throw new AssertionError(
                "nginx is not installed (not on PATH, nor /usr/sbin/nginx): this test runs the project's"
                        + " nginx files in a private nginx; install it (make start-project does, or apt-get install nginx)");
    }

    /** envsubst with a list of names: only ${NAME} of known settings is replaced; every other $ stays. */
    static String render(Path template, Map<String, String> values) throws IOException {
        Matcher m = SETTING.matcher(Files.readString(template));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new AssertionError(template + " uses ${" + m.group(1) + "}, which no setting defines");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    Path certificate() {
        return dir.resolve("certs/gateway.crt");
    }

    String basicAuthorization() {
        return "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The status of POST /predict with these basic-auth credentials. */
    int predictStatus(String user, String password) throws IOException {
        String authorization = "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return sendHttps(RawHttps.request(
                        "POST",
                        "/predict",
                        List.of("Host: localhost", "Authorization: " + authorization, "Content-Type: application/json"),
                        "{\"sentence\": \"hi\"}".getBytes(StandardCharsets.UTF_8)))
                .status();
    }

    /** The private gateway's access log. */
    Path accessLog() {
        return dir.resolve("logs/access.log");
    }

    /** One raw request over TLS to the private gateway, certificate and host name verified. */
    RawHttps.Reply sendHttps(byte[] request) throws IOException {
        var factory = TrustStores.sslContext(certificate(), "TLS").getSocketFactory();
        try (SSLSocket socket = (SSLSocket) factory.createSocket("localhost", httpsPort)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            return exchange(socket, request);
        }
    }

    /** One raw request over plain HTTP to the private gateway's port 80 twin. */
    RawHttps.Reply sendHttp(byte[] request) throws IOException {
        return sendHttp(httpPort, request);
    }

    /** One raw request over plain HTTP to a loopback port. */
    static RawHttps.Reply sendHttp(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            return exchange(socket, request);
        }
    }

    private static RawHttps.Reply exchange(Socket socket, byte[] request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = socket.getInputStream();
        return RawHttps.parse(in.readAllBytes());
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: nginx's fast shutdown, workers included
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static int freePort() throws IOException {
        return freePorts(1)[0];
    }

    /**
     * {@code count} distinct free ports: each socket stays open until all are chosen, since one closed
     * before the next is asked for may be handed out again (a gateway then had two servers on one port).
     */
    static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean groupExists(String group) throws IOException {
        return Files.readAllLines(Path.of("/etc/group")).stream().anyMatch(l -> l.startsWith(group + ":"));
    }

    /** A throw-away self-signed certificate for localhost and 127.0.0.1, valid for a day. */
    static void selfSignedCertificate(Path key, Path crt) throws IOException, InterruptedException {
        run(List.of(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                key.toString(),
                "-out",
                crt.toString()));
    }

    private static void run(List<String> command) {
        Command.of(command).timeout(Duration.ofSeconds(30)).succeeds();
    }

    /**
     * Writes the htpasswd file the workers read, readable by them whatever the umask this JVM inherited
     * (the project's scripts run with 027, so a new file would be closed to nobody).
     */
    static void writeHtpasswd(Path dir, String content) throws IOException {
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
}
