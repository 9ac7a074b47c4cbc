package org.mlgateway.emotion;

/**
 * The tokens of a {@link TweetNormalizer normalised} text (separated by single spaces) and the word each
 * one stands for: punctuation around a word is trimmed ("love!!" → "love"), but a token without word
 * characters, such as ":)" or "!!", stays whole, as emoticons are strong signals; the URL and mention
 * tokens stay as they are.
 */
final class TweetTokens {

    private TweetTokens() {}

    static String[] split(String normalised) {
        return normalised.isEmpty() ? new String[0] : normalised.split(" ");
    }

    /** The URL and mention tokens the normaliser puts in: no character n-grams of them. */
    static boolean isPlaceholder(String token) {
        return token.equals(TweetNormalizer.URL_TOKEN) || token.equals(TweetNormalizer.USER_TOKEN);
    }

    static String word(String token) {
        if (isPlaceholder(token)) {
            return token;
        }
        int s = 0;
        int e = token.length();
        while (s < e && !isWordChar(token.charAt(s))) {
            s++;
        }
        while (e > s && !isWordChar(token.charAt(e - 1))) {
            e--;
        }
        return s == e ? token : token.substring(s, e);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '\'' || Character.isSurrogate(c);
    }
}
