package org.mlgateway.api;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import jakarta.json.stream.JsonParserFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a request body into the sentence to classify, or refuses it with the documented error.
 * A streaming parser is used so that deep nesting or huge documents cost no recursion and
 * every refusal can say precisely what was wrong.
 */
public final class PredictRequestReader {

    static final String EXAMPLE = "Send a JSON object like {\"sentence\": \"I love this!\"}.";

    /** Json.createParser looks the JSON-P provider up on every call; the factory is made once (thread-safe). */
    private static final JsonParserFactory PARSERS = Json.createParserFactory(null);

    private final int maxSentenceLength;
    private final int maxBodyBytes;

    public PredictRequestReader(int maxSentenceLength) {
        this.maxSentenceLength = maxSentenceLength;
        // Room for the sentence fully \\u-escaped (6 bytes a character) and some JSON around it.
        this.maxBodyBytes = Math.max(64 * 1024, maxSentenceLength * 6 + 1024);
    }

    /** Reads at most the body limit from the stream, then validates it. */
    public String read(InputStream body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.readNBytes(maxBodyBytes + 1);
        if (bytes.length > maxBodyBytes) {
            throw new ApiException(
                    413, "body_too_large", "The request body is over " + maxBodyBytes + " bytes. " + EXAMPLE);
        }
        return sentenceOf(bytes);
    }

    String sentenceOf(byte[] bytes) {
        if (bytes.length == 0) {
            throw new ApiException(400, "invalid_json", "The request body is empty. " + EXAMPLE);
        }
        String text = decodeUtf8(bytes);
        try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
            Event first = parser.next();
            if (first != Event.START_OBJECT) {
                skipValue(parser, first);
                expectEnd(parser);
                throw new ApiException(422, "invalid_body", "The body must be a JSON object. " + EXAMPLE);
            }
            return validate(sentenceField(parser));
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            // JsonParsingException, early end, or the parser's own nesting limit (a plain RuntimeException).
            throw new ApiException(400, "invalid_json", "The request body is not valid JSON. " + EXAMPLE);
        }
    }

    /** The body as text, or a 400 invalid_encoding when it is not UTF-8 (the protocol's reader too). */
    static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "invalid_encoding", "The request body must be UTF-8 encoded JSON.");
        }
    }

    /**
     * Reads the members of the top-level object, keeping the "sentence" and skipping the rest.
     * A wrong field is only reported once the whole document has parsed, so that malformed JSON
     * is always a 400 whatever it contains.
     */
    private static String sentenceField(JsonParser parser) {
        int seen = 0;
        String sentence = null;
        ApiException wrongType = null;
        for (Event event = parser.next(); event != Event.END_OBJECT; event = parser.next()) {
            String key = parser.getString();
            Event value = parser.next();
            if ("sentence".equals(key)) {
                seen++;
                if (value == Event.VALUE_STRING) {
                    sentence = parser.getString();
                } else {
                    wrongType = new ApiException(422, "invalid_sentence", "\"sentence\" must be a string. " + EXAMPLE);
                }
            }
            skipValue(parser, value);
        }
        expectEnd(parser);
        if (seen == 0) {
            throw new ApiException(422, "missing_sentence", "The field \"sentence\" is missing. " + EXAMPLE);
        }
        if (seen > 1) {
            throw new ApiException(422, "invalid_sentence", "\"sentence\" is given more than once.");
        }
        if (wrongType != null) {
            throw wrongType;
        }
        return sentence;
    }

    private String validate(String sentence) {
        return checkSentence(sentence, "\"sentence\"", maxSentenceLength);
    }

    /**
     * The rule every sentence meets, here and in a protocol batch: not blank, at most {@code maxLength}
     * characters; {@code where} names it in the error.
     */
    static String checkSentence(String sentence, String where, int maxLength) {
        if (sentence.isBlank()) {
            throw new ApiException(422, "blank_sentence", where + " must contain some text.");
        }
        if (sentence.codePointCount(0, sentence.length()) > maxLength) {
            throw new ApiException(422, "sentence_too_long", where + " is longer than " + maxLength + " characters.");
        }
        return sentence;
    }

    /**
     * Skips a nested value by counting depth. Parsson's own skipArray/skipObject loop forever on an
     * unterminated array such as {@code {"a": [1, 2}}, so they are not used.
     */
    private static void skipValue(JsonParser parser, Event value) {
        int depth = (value == Event.START_OBJECT || value == Event.START_ARRAY) ? 1 : 0;
        while (depth > 0) {
            Event event = parser.next(); // throws on malformed input or early end
            if (event == Event.START_OBJECT || event == Event.START_ARRAY) {
                depth++;
            } else if (event == Event.END_OBJECT || event == Event.END_ARRAY) {
                depth--;
            }
        }
    }

    /** Anything after the top-level value makes the document malformed. */
    private static void expectEnd(JsonParser parser) {
        if (parser.hasNext()) {
            throw new JsonException("content after the JSON value");
        }
    }
}
