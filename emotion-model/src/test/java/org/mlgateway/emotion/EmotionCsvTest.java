package org.mlgateway.emotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmotionCsvTest {

    @Test
    void readsQuotedCommasQuotesAndNewlines() throws IOException {
        String csv = "label,text\r\n"
                + "neutral,plain text\n"
                + "worry,\"a, b and c\"\n"
                + "love,\"she said \"\"hi\"\" to me\"\n"
                + "fun,\"two\nlines\"\n"
                + "sadness,\"\"\n";
        List<LabeledText> rows = EmotionCsv.read(new StringReader(csv));
        assertEquals(
                List.of(
                        new LabeledText("neutral", "plain text"),
                        new LabeledText("worry", "a, b and c"),
                        new LabeledText("love", "she said \"hi\" to me"),
                        new LabeledText("fun", "two\nlines"),
                        new LabeledText("sadness", "")),
                rows);
    }

    @Test
    void rejectsAFileWithoutTheExpectedColumns() {
        assertThrows(IOException.class, () -> EmotionCsv.read(new StringReader("emotion,sentence\nlove,hi\n")));
    }

    @Test
    void hashesFileBytes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.csv");
        Files.writeString(f, "abc", StandardCharsets.UTF_8);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", EmotionCsv.sha256(f));
    }

    @Test
    void splitIsStratifiedAndDeterministic() {
        List<LabeledText> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(new LabeledText("a", "a" + i));
        }
        for (int i = 0; i < 30; i++) {
            rows.add(new LabeledText("b", "b" + i));
        }
        ValidationSplit s1 = ValidationSplit.stratified(rows, 0.1, 7);
        ValidationSplit s2 = ValidationSplit.stratified(rows, 0.1, 7);
        assertEquals(s1, s2);
        assertEquals(13, s1.validation().size());
        assertEquals(
                3, s1.validation().stream().filter(r -> r.label().equals("b")).count());
        assertEquals(117, s1.train().size());
    }
}
