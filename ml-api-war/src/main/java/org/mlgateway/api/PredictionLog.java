package org.mlgateway.api;

import jakarta.json.Json;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One JSON line per prediction (per sentence: a batch of the Open Inference Protocol gives one line per
 * sentence, numbered by batch_index), for joining with another server's lines by request id (make
 * ab-report), for finding a request's trace (trace_id) and for looking back at what was answered. A request only offers its line to a bounded queue: when
 * the queue is full the line is dropped and counted, never waited for; one daemon thread writes the
 * lines. The files are the JDK's rotating {@link FileHandler} ({@code predictions.0.jsonl} the newest,
 * up to {@link #FILES} files), so the disk used stays under the configured cap.
 */
final class PredictionLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PredictionLog.class.getName());
    /** Files kept: the current one and the older ones it rotated into. */
    static final int FILES = 5;
    /** Lines waiting for the writer; a second of a busy server's predictions. */
    private static final int QUEUE = 10_000;
    /** How often the writer looks at the queue, and the most lines it writes at once (a file may outgrow its limit by one such write before it rotates). */
    private static final long WRITE_INTERVAL_MILLIS = 100;

    static final int BATCH = 256;

    /**
     * What one line holds; {@code traceId} is null without a valid traceparent, {@code batchIndex} is the
     * sentence's place in its batch (-1: a /predict call, no batch), {@code sentence} is null unless the text is
     * logged. The latency is the whole request's, from its arrival to its last prediction.
     */
    record Line(
            String requestId,
            String traceId,
            int batchIndex,
            long epochMillis,
            String label,
            double topProbability,
            long latencyMicros,
            String sentence) {}

    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final FileHandler files;
    private final Thread writer;
    private final JsonGeneratorFactory json = Json.createGeneratorFactory(Map.of());
    private final String server;
    private final String variant;
    private final String modelVersion;
    private volatile boolean closed;

    /**
     * @param directory where {@code predictions.N.jsonl} go (created if missing)
     * @param maxBytes  the cap on all the files together
     */
    PredictionLog(Path directory, long maxBytes, String server, String variant, String modelVersion)
            throws IOException {
        Files.createDirectories(directory);
        this.server = server;
        this.variant = variant;
        this.modelVersion = modelVersion;
        int perFile = (int) Math.max(4096, Math.min(Integer.MAX_VALUE, maxBytes / FILES));
        files = new FileHandler(directory.resolve("predictions.%g.jsonl").toString(), perFile, FILES, true);
        files.setEncoding("UTF-8");
        files.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                return r.getMessage(); // lines already formatted, newline included
            }
        });
        writer = new Thread(this::writeLines, "prediction-log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Never blocks: a full queue drops the line (counted in {@link #dropped()}). */
    void append(Line line) {
        if (closed || !queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    // Wakes every WRITE_INTERVAL_MILLIS and writes whatever is queued, BATCH lines a write. Waiting on the queue
    // instead woke this thread for nearly every prediction of a lightly loaded server: a thread hand-off
    // and a write call per request, about a seventh of such a server's CPU.
    private void writeLines() {
        List<Line> batch = new ArrayList<>(BATCH);
        StringBuilder text = new StringBuilder(BATCH * 200);
        while (!closed || !queue.isEmpty()) {
            try {
                if (queue.isEmpty()) {
                    Thread.sleep(WRITE_INTERVAL_MILLIS);
                }
                queue.drainTo(batch, BATCH);
                if (batch.isEmpty()) {
                    continue;
                }
                for (Line l : batch) {
                    text.append(toJson(l)).append('\n');
                }
                files.publish(new LogRecord(Level.INFO, text.toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The log is a by-product: a line that cannot be written is lost, the server goes on.
                dropped.addAndGet(batch.size());
                LOG.log(Level.WARNING, "Prediction log: could not write " + batch.size() + " lines", e);
            } finally {
                batch.clear();
                text.setLength(0);
            }
        }
    }

    String toJson(Line l) {
        StringWriter out = new StringWriter(200);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject()
                    .write("request_id", l.requestId() == null ? "" : l.requestId())
                    .write("trace_id", l.traceId() == null ? "" : l.traceId())
                    .write("time", Instant.ofEpochMilli(l.epochMillis()).toString())
                    .write("server", server)
                    .write("variant", variant)
                    .write("model_version", modelVersion)
                    .write("label", l.label())
                    .write("top_probability", l.topProbability())
                    .write("latency_ms", l.latencyMicros() / 1000.0);
            if (l.batchIndex() >= 0) {
                g.write("batch_index", l.batchIndex());
            }
            if (l.sentence() != null) {
                g.write("sentence", l.sentence());
            }
            g.writeEnd();
        }
        return out.toString();
    }

    /** Writes what is queued (for up to two seconds), then closes the files. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        files.close();
    }
}
