package org.mlgateway.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/1.1 over TLS written byte for byte, for the requests that HTTP clients refuse to send (CR
 * or NUL inside a header, odd methods, unnormalised paths, invalid bodies). The certificate and
 * host name are verified as any client would.
 */
final class RawHttps {

    private RawHttps() {}

    /**
     * One answer; header names lower-cased, first value kept. readError: how reading ended if not at
     * the end of the stream (a reset after part of the answer), else null.
     */
    record Reply(int status, Map<String, String> headers, byte[] body, String readError) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The whole body arrived: as long as its Content-Length says, when it says. */
        boolean complete() {
            String length = header("Content-Length");
            return length == null || Integer.parseInt(length) == body.length;
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + text()
                    + (readError == null ? "" : " [read ended by " + readError + "]");
        }
    }

    /** A request: method, target as sent, raw header lines (ISO-8859-1, so any byte can be in them), body or null. */
    static byte[] request(String method, String target, List<String> headerLines, byte[] body) {
        StringBuilder head =
                new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        return body == null ? start : concat(start, body);
    }

    static Reply send(byte[] request) throws IOException {
        var factory = TrustStores.sslContext(StackEnv.certificate(), "TLS").getSocketFactory();
        try (SSLSocket socket = (SSLSocket) factory.createSocket("localhost", StackEnv.httpsPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException refusedMidway) {
                // The gateway may answer (413) and stop reading before a large body is sent; read that answer.
            }
            // To the end of the stream; a reset after part of an answer is noted, not thrown.
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            String readError = null;
            try {
                socket.getInputStream().transferTo(all);
            } catch (IOException closedAfterAnswer) {
                if (all.size() == 0) {
                    throw closedAfterAnswer;
                }
                readError = closedAfterAnswer.toString();
            }
            return parse(all.toByteArray(), readError);
        }
    }

    static Reply parse(byte[] raw) {
        return parse(raw, null);
    }

    private static Reply parse(byte[] raw, String readError) {
        int offset = 0;
        while (true) {
            int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), offset);
            if (end < 0) {
                throw new AssertionError("no complete HTTP answer: " + new String(raw, StandardCharsets.ISO_8859_1));
            }
            String[] lines = new String(raw, offset, end - offset, StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            if (status == 100) { // 100 Continue precedes the real answer
                offset = end + 4;
                continue;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.putIfAbsent(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Reply(status, headers, body, readError);
        }
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (true) {
            int lineEnd = indexOf(chunked, new byte[] {'\r', '\n'}, pos);
            String sizeField =
                    new String(chunked, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int size = Integer.parseInt(sizeField, 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(chunked, lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
