package org.mlgateway.e2e;

/**
 * Nginx's limit_req bucket for one key, as ngx_http_limit_req_lookup counts it: the first request
 * finds it empty; each later one drains the rate times the time since the last accepted request,
 * adds itself, and is refused (429) when that is above the burst. Times are in seconds.
 */
final class RateLimitBucket {

    private final double perSecond;
    private double excess;
    private double last = Double.NaN;

    RateLimitBucket(double perSecond) {
        this.perSecond = perSecond;
    }

    /** What the bucket would hold with one more request at this time: above the burst means 429. */
    double excessWith(double at) {
        return Double.isNaN(last) ? 0 : Math.max(0, excess - Math.max(0, at - last) * perSecond + 1);
    }

    /** Counts a request the gateway accepted; a refused one leaves the bucket as it was. */
    void accept(double at) {
        excess = excessWith(at);
        last = Double.isNaN(last) ? at : Math.max(last, at);
    }
}
