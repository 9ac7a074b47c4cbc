package org.mlgateway.emotion;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The data source: reads an RFC 4180 {@code label,text} file with a header row. Jackson's CSV parser
 * handles quoted commas, doubled quotes and newlines inside quotes, which tweets have.
 */
public final class EmotionCsv {

    private EmotionCsv() {}

    public static List<LabeledText> read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader);
        }
    }

    public static List<LabeledText> read(Reader reader) throws IOException {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<LabeledText> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it = mapper.readerFor(Map.class)
                .with(schema)
                .readValues(reader instanceof BufferedReader ? reader : new BufferedReader(reader))) {
            while (it.hasNext()) {
                Map<String, String> row = it.next();
                String label = row.get("label");
                String text = row.get("text");
                if (label == null || text == null) {
                    throw new IOException(
                            "row " + (rows.size() + 1) + " lacks a label or text column: " + row.keySet());
                }
                rows.add(new LabeledText(label.trim(), text));
            }
        }
        return rows;
    }

    /** Hex SHA-256 of a file, so a model card names exactly the bytes it was trained on. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), newDigest())) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
