package org.mlgateway.api;

/**
 * The trace id of a request, from its W3C {@code traceparent} header
 * (https://www.w3.org/TR/trace-context/#traceparent-header): {@code version-traceid-parentid-flags} in
 * lowercase hex. The gateway always sends one (the client's when valid, else one started from its request
 * id), so each prediction log line names the trace it belongs to whether or not spans are exported.
 */
final class TraceParent {

    static final String HEADER = "traceparent";
    private static final int LENGTH = 55; // 2 + 1 + 32 + 1 + 16 + 1 + 2

    private TraceParent() {}

    /** The trace id of a valid header, else null (absent, malformed, or an all-zero id). */
    static String traceId(String header) {
        if (header == null || header.length() < LENGTH) {
            return null;
        }
        String version = header.substring(0, 2);
        // Version 00 is exactly 55 characters; a later version may append "-..." (the spec's forward compatibility).
        boolean lengthFits = "00".equals(version)
                ? header.length() == LENGTH
                : header.length() == LENGTH || header.charAt(LENGTH) == '-';
        if (!lengthFits
                || "ff".equals(version)
                || !hex(version)
                || header.charAt(2) != '-'
                || header.charAt(35) != '-'
                || header.charAt(52) != '-') {
            return null;
        }
        String traceId = header.substring(3, 35);
        String parentId = header.substring(36, 52);
        if (!hex(traceId) || !hex(parentId) || !hex(header.substring(53, 55)) || zeros(traceId) || zeros(parentId)) {
            return null;
        }
        return traceId;
    }

    private static boolean hex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String s) {
        return s.chars().allMatch(c -> c == '0');
    }
}
