-- wrk script of scripts/bench.sh: one request shape per run, set through the environment, and a
-- machine-readable summary line (wrk's own report rounds and mixes units).
--   BENCH_METHOD         GET (default) or POST
--   BENCH_BODY           request body; sent as application/json when set
--   BENCH_AUTHORIZATION  value of the Authorization header, if any
--   BENCH_GROUP          value of X-Experiment-Group, if any
--   BENCH_DELAY_MS       pause of each connection between an answer and its next request: a paced
--                        load (connections / (latency + pause) requests/s) instead of the most it takes

wrk.method = os.getenv("BENCH_METHOD") or "GET"

local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

local group = os.getenv("BENCH_GROUP")
if group and group ~= "" then
  wrk.headers["X-Experiment-Group"] = group
end

local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  delay = function() return pause end
end

-- Latencies in microseconds; "failed" counts non-2xx/3xx answers and socket errors together.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d failed=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
