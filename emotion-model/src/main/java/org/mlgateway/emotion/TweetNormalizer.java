package org.mlgateway.emotion;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.data.text.DocumentPreprocessor;

/**
 * The featurizer's first step (a Tribuo {@link DocumentPreprocessor}): tweets are short and noisy, so the
 * text is lower-cased, HTML entities are decoded, URLs and @mentions become one token each, runs of 3+
 * identical characters are squeezed to 2 ("soooo" → "soo": elongation stays a signal but bounded), and
 * any whitespace or control character separates tokens by a single space, with none at either end.
 * One pass, no regular expressions, because it runs on every request.
 */
public final class TweetNormalizer implements DocumentPreprocessor {

    /** Token that replaces every URL: the link itself carries no emotion, its presence might. */
    static final String URL_TOKEN = "<url>";
    /** Token that replaces every @mention: user names are noise, addressing someone is not. */
    static final String USER_TOKEN = "<user>";

    @Override
    public String processDoc(String text) {
        return normalise(text);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "DocumentPreprocessor");
    }

    static String normalise(String text) {
        int n = text.length();
        StringBuilder out = new StringBuilder(n + 8);
        int tokenStart = 0;
        char last = 0;
        int run = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '&') {
                int semi = text.indexOf(';', i + 1);
                if (semi > i + 1 && semi - i <= 8) {
                    int decoded = decodeEntity(text, i + 1, semi);
                    if (decoded >= 0) {
                        i = semi;
                        c = Character.isBmpCodePoint(decoded) ? (char) decoded : ' ';
                    }
                }
            }
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                if (out.length() > tokenStart) {
                    tokenStart = endToken(out, tokenStart);
                }
                last = 0;
                run = 0;
                continue;
            }
            c = Character.toLowerCase(c);
            if (c == last) {
                run++;
                if (run >= 2 && !Character.isSurrogate(c)) {
                    continue;
                }
            } else {
                last = c;
                run = 0;
            }
            out.append(c);
        }
        if (out.length() > tokenStart) {
            endToken(out, tokenStart);
        }
        if (out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    // Closes the token that starts at tokenStart, collapsing URLs and mentions; returns the next start.
    private static int endToken(StringBuilder out, int tokenStart) {
        int len = out.length() - tokenStart;
        if (startsWith(out, tokenStart, "http://")
                || startsWith(out, tokenStart, "https://")
                || startsWith(out, tokenStart, "ww.")) { // "www." after squeezing
            out.setLength(tokenStart);
            out.append(URL_TOKEN);
        } else if (len > 1 && out.charAt(tokenStart) == '@') {
            out.setLength(tokenStart);
            out.append(USER_TOKEN);
        }
        out.append(' ');
        return out.length();
    }

    private static boolean startsWith(StringBuilder sb, int from, String prefix) {
        if (sb.length() - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (sb.charAt(from + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // The entities that occur in tweets, plus numeric ones; -1 leaves the text untouched.
    private static int decodeEntity(String s, int from, int to) {
        String name = s.substring(from, to);
        switch (name) {
            case "amp":
                return '&';
            case "lt":
                return '<';
            case "gt":
                return '>';
            case "quot":
                return '"';
            case "apos":
                return '\'';
            case "nbsp":
                return ' ';
            default:
                break;
        }
        if (name.length() > 1 && name.charAt(0) == '#') {
            try {
                int cp = (name.charAt(1) == 'x' || name.charAt(1) == 'X')
                        ? Integer.parseInt(name.substring(2), 16)
                        : Integer.parseInt(name.substring(1));
                return Character.isValidCodePoint(cp) ? cp : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }
}
