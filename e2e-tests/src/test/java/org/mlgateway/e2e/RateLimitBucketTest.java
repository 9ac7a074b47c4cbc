package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bucket that SteadyLoad paces by and replays the gateway's access log with, on known inputs. */
class RateLimitBucketTest {

    @Test
    void requestsAtOnceFillTheBucketAndTimeDrainsIt() {
        RateLimitBucket bucket = new RateLimitBucket(100);
        assertEquals(0, bucket.excessWith(5.0), "the first request finds the bucket empty");
        for (int i = 0; i < 51; i++) {
            bucket.accept(5.0);
        }
        assertEquals(
                51, bucket.excessWith(5.0), 1e-9, "51 requests at once: the 52nd would be the 51st above the rate");
        assertEquals(41, bucket.excessWith(5.1), 1e-9, "0.1 s at 100 r/s drains 10");
        assertEquals(0, bucket.excessWith(7.0), 1e-9, "empty again after a quiet second, never negative");
    }

    @Test
    void aSteadyClientUnderTheRateNeverFillsIt() {
        RateLimitBucket bucket = new RateLimitBucket(100);
        double peak = 0;
        for (int i = 0; i < 1_000; i++) {
            double at = i / 75.0;
            peak = Math.max(peak, bucket.excessWith(at));
            bucket.accept(at);
        }
        assertEquals(
                0,
                peak,
                1e-9,
                "75 r/s against 100: each request finds the previous one drained, nothing above the rate");
    }

    @Test
    void aLateRequestDrainsNothingAndARefusedOneCountsNothing() {
        RateLimitBucket bucket = new RateLimitBucket(100);
        bucket.accept(1.0);
        bucket.accept(1.0);
        assertEquals(2, bucket.excessWith(0.9), 1e-9, "logged as arriving earlier (another worker's clock): no drain");
        bucket.excessWith(1.0); // asked about, not accepted: a 429
        assertEquals(2, bucket.excessWith(1.0), 1e-9);
    }
}
