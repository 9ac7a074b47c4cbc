package org.mlgateway.api;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The smallest HTTP/1.1 client that keeps a connection alive: {@link WarmUp}'s requests to its own
 * server. Not the JDK's HttpClient on purpose: profiling a warm-up showed a fifth of the JIT
 * compiler's time spent on HttpClient's own code, which real traffic never runs.
 */
final class LoopbackClient implements Closeable {

    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    LoopbackClient(int port) {
        this.port = port;
    }

    /** A request as bytes, ready to send again and again. */
    static byte[] post(String path, String jsonBody, String headerName, String headerValue) {
        byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + headerName
                + ": " + headerValue + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    /** Sends one request and reads the whole answer; returns its status code. */
    int send(byte[] request) throws IOException {
        if (socket == null) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                s.setSoTimeout(10_000);
                s.setTcpNoDelay(true);
                in = new BufferedInputStream(s.getInputStream());
                out = s.getOutputStream();
            } catch (IOException e) {
                s.close();
                throw e;
            }
            socket = s;
        }
        try {
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private int readResponse() throws IOException {
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 answer: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closes = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            String h = line.toLowerCase(Locale.ROOT);
            if (h.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).trim());
            } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                chunked = true;
            } else if (h.startsWith("connection:") && h.contains("close")) {
                closes = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(readLine().split(";")[0].trim(), 16);
                    size > 0;
                    size = Long.parseLong(readLine().split(";")[0].trim(), 16)) {
                skip(size);
                readLine();
            }
            readLine(); // the blank line after the last chunk
        } else if (length > 0) {
            skip(length);
        }
        if (closes) {
            close();
        }
        return code;
    }

    private void skip(long n) throws IOException {
        in.skipNBytes(n);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a loopback socket: nothing to do about it
            }
            socket = null;
        }
    }
}
