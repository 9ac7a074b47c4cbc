package org.mlgateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanaryStateTest {

    @TempDir
    Path dir;

    private CanaryState load() throws Exception {
        return CanaryState.load(dir.resolve("canary/state"), dir.resolve("nginx/canary/metrics.prom"));
    }

    @Test
    void aStackThatNeverRanOneIsIdle() throws Exception {
        assertEquals(
                List.of(
                        "  phase          idle",
                        "  candidate      none",
                        "  last decision  none",
                        "  totals         0 promoted, 0 rolled back"),
                load().status());
    }

    @Test
    void aRunUnderWayWhenTheStackRestartsIsAbortedAndItsCountersStay() throws Exception {
        load().set("rollbacks", 2)
                .set("candidate_version", "c0ffee")
                .phase("canary", 25, 0)
                .decide("advance", "canary 5 %", "", "", "canary 5 %")
                .save();
        load().afterRestart().save();
        CanaryState state = load();
        assertEquals("aborted", state.get("phase"));
        assertEquals("stack restarted", state.get("gate"));
        assertEquals("0", state.get("weight"));
        assertEquals("2", state.get("rollbacks"));
        String metrics = Files.readString(dir.resolve("nginx/canary/metrics.prom"));
        assertTrue(metrics.contains("canary_phase{phase=\"aborted\"} 1\n"), metrics);
        assertTrue(metrics.contains("canary_phase{phase=\"canary\"} 0\n"), metrics);
        assertTrue(metrics.contains("canary_weight_percent 0\n"), metrics);
        assertTrue(metrics.contains("canary_rollbacks_total 2\n"), metrics);
        assertTrue(
                metrics.contains("canary_last_decision{decision=\"abort\",gate=\"stack restarted\",value=\"\","
                        + "threshold=\"\",step=\"canary 5 %\",candidate_version=\"c0ffee\"} 1\n"),
                metrics);
        assertTrue(
                state.status().get(2).startsWith("  last decision  abort in canary 5 %: stack restarted at 20"),
                state.status().toString());
    }

    @Test
    void anEndedRunStaysAsItEnded() throws Exception {
        load().phase("rolled_back", 0, 0)
                .decide("rollback", "error_ratio", "0.5", "<= 0.01", "canary 5 %")
                .save();
        load().afterRestart().save();
        CanaryState state = load();
        assertEquals("rolled_back", state.get("phase"));
        assertTrue(
                state.status()
                        .get(2)
                        .startsWith(
                                "  last decision  rollback in canary 5 %: error_ratio = 0.5 (threshold <= 0.01) at "),
                state.status().toString());
    }

    @Test
    void aShadowPhaseShowsItsShare() throws Exception {
        CanaryState state =
                load().set("war", "/w/c.war").set("candidate_version", "c0ffee").phase("shadow", 0, 40);
        assertEquals("  phase          shadow (40 % mirrored)", state.status().get(0));
        assertEquals("  candidate      c0ffee (/w/c.war)", state.status().get(1));
    }
}
