package org.mlgateway.testsupport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a server's /metrics answer (Prometheus text format) in the tests of both modules. */
public final class MetricsText {

    private MetricsText() {}

    /** The sum of one metric's samples whose labels hold every given pair (such as {@code variant="v1"}). */
    public static double sum(String text, String name, String... labels) {
        Matcher line = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(text);
        double sum = 0;
        while (line.find()) {
            boolean all = true;
            for (String pair : labels) {
                all &= line.group(1).contains(pair);
            }
            if (all) {
                sum += Double.parseDouble(line.group(2));
            }
        }
        return sum;
    }
}
