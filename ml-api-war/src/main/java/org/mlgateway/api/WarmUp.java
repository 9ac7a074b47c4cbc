package org.mlgateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Warm before ready: after the model loads, the server sends {@code POST /predict} (and, one request in
 * nine, the Open Inference Protocol's inference of a batch) to itself on loopback, at
 * {@code api.warm-up.rate} requests/s at most, until the JIT compiler has nothing left to compile for
 * it. Until then the readiness check is DOWN and {@link WarmingUpFilter} answers client predictions with 503, which Nginx
 * retries on another server: no client meets a cold server. The warm-up's requests carry a token
 * that only this JVM knows, and {@link PredictResource} and {@link InferenceModelResource} leave them
 * out of the application's metrics ({@code predictions_total}, {@code inference_seconds}); the server's own base and vendor
 * request metrics (REST_request_seconds, http_server_request_seconds) do count them, since they
 * describe the HTTP work the server did. It is the very path clients call, not a copy: profiling
 * showed a separate warm-up path made the JIT recompile the request path once real traffic came.
 *
 * <p>"Nothing left to compile" is read from the JVM: the compilers' total time grew by less than
 * {@link #SETTLED_COMPILE_MS} over the last {@link #SETTLED_WINDOW} of load. It ends anyway after
 * {@code api.warm-up.max-seconds}; 0 turns warm-up off (`mvn liberty:dev`, the Arquillian tests).
 */
@ApplicationScoped
public class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());

    /** The header that marks the server's own warm-up requests; its value is secret to this JVM. */
    static final String HEADER = "X-Warm-Up";

    // Tweet-like sentences of different shapes, so the featurizer's branches are all compiled.
    private static final List<String> SENTENCES = List.of(
            "I love this sunny morning, it makes me so happy!",
            "@jazzwerewolf lol. i get about the same reaction when i mention my new goal - kona triathlon",
            "ugh my head hurts sooooo bad, no sleep again tonight :(",
            "Why did i drive and how did i make it? Ahh margaritas are the BEST!!",
            "I miss you already &amp; can't wait for the weekend http://t.co/abc #friday",
            "so bored. nothing to do at all",
            "Café crème et croissant, très bien 😀",
            "qwertyuiop zxcvbnm");

    /** Less compile time than this over {@link #SETTLED_WINDOW} of load: the path is compiled. */
    private static final long SETTLED_COMPILE_MS = 40;

    private static final Duration SETTLED_WINDOW = Duration.ofSeconds(2);
    /** Fewer requests than this cannot have reached the JIT's highest tier (Tier4InvocationThreshold). */
    private static final long MIN_REQUESTS = 5_000;

    @Inject
    ApiConfig config;

    @Inject
    ModelService model;

    private final String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean done;
    private volatile String summary = "not started";

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object context) {
        if (config.warmUpMaxSeconds() <= 0) {
            done = true;
            summary = "off (api.warm-up.max-seconds=0)";
            return;
        }
        if (started.compareAndSet(false, true)) {
            Thread thread = new Thread(this::run, "warm-up");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** True once the server's request path is compiled (or warm-up is off or gave up). */
    public boolean isDone() {
        return done;
    }

    /** What warm-up did, for the readiness check's data. */
    public String summary() {
        return summary;
    }

    /** True for a request carrying this JVM's warm-up token. */
    boolean isWarmUpRequest(String headerValue) {
        return !done && token.equals(headerValue);
    }

    private void run() {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(config.warmUpMaxSeconds()).toNanos();
        String outcome;
        try {
            outcome = warmUntilSettled(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        } catch (RuntimeException e) {
            // Warm-up is an optimisation: a server that cannot warm up still serves, only slower at first.
            LOG.log(Level.WARNING, "Warm-up failed; the server becomes ready cold", e);
            outcome = "failed: " + e;
        }
        summary = String.format(
                "%s after %d requests in %.1f s", outcome, requests.get(), (System.nanoTime() - start) / 1e9);
        done = true;
        LOG.info(() -> "Warm-up " + summary + "; ready for traffic");
    }

    private String warmUntilSettled(long deadline) throws InterruptedException {
        // The model loads while the bean is created, which this first call waits for: not ready now is a failed load.
        if (!model.isReady()) {
            return "skipped (no model)";
        }
        summary = "in progress";
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] clients = new Thread[config.warmUpClients()];
        for (int i = 0; i < clients.length; i++) {
            int first = i;
            clients[i] = new Thread(() -> send(first, stop, deadline), "warm-up-client-" + i);
            clients[i].setDaemon(true);
            clients[i].start();
        }
        try {
            return waitUntilSettled(deadline);
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join(5_000);
            }
        }
    }

    /** One keep-alive connection: the sentences in turn until told to stop. The port may not listen yet. */
    private void send(int first, AtomicBoolean stop, long deadline) {
        List<byte[]> bodyList = new java.util.ArrayList<>();
        SENTENCES.forEach(
                s -> bodyList.add(LoopbackClient.post("/predict", "{\"sentence\": \"" + s + "\"}", HEADER, token)));
        // One request in nine is the Open Inference Protocol's inference of all the sentences as one batch.
        bodyList.add(LoopbackClient.post(
                "/v2/models/" + InferenceModel.NAME + "/infer",
                "{\"inputs\": [{\"name\": \""
                        + InferenceModel.INPUT + "\", \"datatype\": \"BYTES\", \"shape\": [" + SENTENCES.size()
                        + "], \"data\": [\""
                        + String.join("\", \"", SENTENCES) + "\"]}]}",
                HEADER,
                token));
        byte[][] bodies = bodyList.toArray(byte[][]::new);
        // Paced: the JIT needs invocations, not speed, and the other servers on the machine keep serving
        // meanwhile. At full speed a warming server took both cores and stalled a rollout's clients.
        long interval = 1_000_000_000L * config.warmUpClients() / config.warmUpRate();
        long next = System.nanoTime();
        try (LoopbackClient client = new LoopbackClient(config.httpPort())) {
            for (int i = first; !stop.get() && System.nanoTime() < deadline; i++) {
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } else {
                    next = System.nanoTime(); // behind (a cold server is slow): no burst to catch up
                }
                try {
                    if (client.send(bodies[i % bodies.length]) == 200) {
                        requests.incrementAndGet();
                    } else {
                        Thread.sleep(100);
                    }
                } catch (java.io.IOException e) {
                    Thread.sleep(200); // not listening yet: Liberty opens its ports once the application has started
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String waitUntilSettled(long deadline) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        long windowStart = System.nanoTime();
        long compileAtWindowStart = measurable ? jit.getTotalCompilationTime() : 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            if (System.nanoTime() - windowStart < SETTLED_WINDOW.toNanos()) {
                continue;
            }
            long compile = measurable ? jit.getTotalCompilationTime() : 0;
            long window = compile - compileAtWindowStart;
            LOG.fine(() -> String.format(
                    "Warm-up: %d requests, %d ms compiling in the last %s", requests.get(), window, SETTLED_WINDOW));
            if (requests.get() >= MIN_REQUESTS
                    && (!measurable || compile - compileAtWindowStart < SETTLED_COMPILE_MS)) {
                return "done";
            }
            windowStart = System.nanoTime();
            compileAtWindowStart = compile;
        }
        return "stopped at api.warm-up.max-seconds";
    }
}
