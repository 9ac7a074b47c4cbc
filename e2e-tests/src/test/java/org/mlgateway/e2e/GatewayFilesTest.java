package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the tests read logs that are being written: a line is read only once it is whole, so a write
 * seen half done (a JSON line cut where it crossed a page boundary) is never parsed.
 */
class GatewayFilesTest {

    @TempDir
    Path temp;

    @Test
    void aLineStillBeingWrittenIsLeftForTheNextRead() throws Exception {
        Path log = temp.resolve("access.log");
        Files.writeString(log, "{\"a\":1}\n{\"b\":\"ü\"}\n{\"c\":\"cut he", StandardCharsets.UTF_8);
        assertEquals(List.of("{\"a\":1}", "{\"b\":\"ü\"}"), GatewayFiles.wholeLines(log));

        Files.writeString(log, "re\"}\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of("{\"a\":1}", "{\"b\":\"ü\"}", "{\"c\":\"cut here\"}"), GatewayFiles.wholeLines(log));
    }

    @Test
    void aFileWithoutAWholeLineHasNone() throws Exception {
        Path log = temp.resolve("access.log");
        Files.writeString(log, "{\"half", StandardCharsets.UTF_8);
        assertEquals(List.of(), GatewayFiles.wholeLines(log));
        Files.writeString(log, "", StandardCharsets.UTF_8);
        assertEquals(List.of(), GatewayFiles.wholeLines(log));
    }

    @Test
    void aServersPredictionLogIsEveryWholeLineOfItsPredictionFiles() throws Exception {
        assertEquals(List.of(), GatewayFiles.predictionLogLines(temp.resolve("no-server-yet")));
        Files.writeString(temp.resolve("predictions.1.jsonl"), "{\"request_id\":\"old\"}\n");
        Files.writeString(temp.resolve("predictions.0.jsonl"), "{\"request_id\":\"new\"}\n{\"request_id\":\"ha");
        Files.writeString(temp.resolve("messages.log"), "not a prediction\n");
        Files.writeString(temp.resolve("predictions.0.jsonl.tmp"), "{\"request_id\":\"not a log file\"}\n");
        assertEquals(
                List.of("{\"request_id\":\"new\"}", "{\"request_id\":\"old\"}"), GatewayFiles.predictionLogLines(temp));
    }
}
