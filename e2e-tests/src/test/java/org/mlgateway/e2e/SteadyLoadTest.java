package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The disruptive tests only prove something when the load really ran: SteadyLoad.Result judges
 * that (at least 90 % of the planned requests sent, no pause over MAX_GAP, 1 s, in sending). No stack needed.
 */
class SteadyLoadTest {

    private static final long PERIOD = 1_000_000_000L / SteadyLoad.REQUESTS_PER_SECOND;

    private static SteadyLoad.Result load(Duration duration, long pauseFrom, long pauseNanos, int skipEvery) {
        List<SteadyLoad.Outcome> outcomes = new ArrayList<>();
        int i = 0;
        for (long t = 0; t < duration.toNanos(); t += PERIOD, i++) {
            if (t >= pauseFrom && t < pauseFrom + pauseNanos || skipEvery > 0 && i % skipEvery == 0) {
                continue;
            }
            outcomes.add(new SteadyLoad.Outcome("127.0.0.1", t, 200, "api-v1-1", "abc", null));
        }
        return new SteadyLoad.Result(outcomes, duration);
    }

    @Test
    void aSteadyLoadCounts() {
        assertNull(load(Duration.ofSeconds(20), 0, 0, 0).unsteadiness());
    }

    @Test
    void aPauseInSendingIsCaught() {
        String why = load(Duration.ofSeconds(20), 6_000_000_000L, SteadyLoad.MAX_GAP.toNanos() + 150_000_000L, 0)
                .unsteadiness();
        assertTrue(why != null && why.contains("no request was started for"), String.valueOf(why));
    }

    @Test
    void aLoadThatStoppedEarlyIsCaught() {
        String why = load(Duration.ofSeconds(20), 15_000_000_000L, 0, 0).unsteadiness();
        assertNull(why, "no pause, full load");
        String tail = new SteadyLoad.Result(
                        load(Duration.ofSeconds(10), 0, 0, 0).outcomes(), Duration.ofSeconds(20))
                .unsteadiness();
        assertTrue(tail != null, "a load that stopped half-way is caught");
    }

    @Test
    void tooFewRequestsAreCaught() {
        String why = load(Duration.ofSeconds(20), 0, 0, 5).unsteadiness();
        assertTrue(why != null && why.contains("planned requests were sent"), String.valueOf(why));
    }
}
