#!/usr/bin/env bash
# How fast each layer of the stack is, so a slow release shows where the time went: nginx's static
# answer over TLS (the ceiling), the whole gateway path to /predict, one API server directly, and
# in-process inference (JMH). Prints one table and keeps it in state/bench/. Usage: make bench
# Needs the running native stack (make start-project, same settings). wrk does not verify the
# gateway's certificate; that costs nothing here and the handshake is the same.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress packages liberty nginx supervisor; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

: "${BENCH_THREADS:=2}"
: "${BENCH_CONNECTIONS:=16}"
: "${BENCH_DURATION:=10s}"
# An unmeasured run first: the servers' JIT compiles the request path, as in a server that has run a while.
: "${BENCH_WARMUP:=10s}"
# A typical tweet-length sentence, the same for every HTTP run.
BENCH_SENTENCE_BODY='{"sentence": "I love this sunny morning, it makes me so happy!"}'
BENCH_DIR="$STATE_DIR/bench"
LUA_SCRIPT="$SCRIPT_DIR/bench-request.lua"


GATEWAY="https://localhost:$GATEWAY_HTTPS_PORT"
DIRECT="http://127.0.0.1:$V1_BASE_PORT"
AUTHORIZATION="Basic $(printf '%s:%s' "$GATEWAY_USER" "$GATEWAY_PASSWORD" | base64 -w0)"

require_running_stack() {
  packages_require wrk:wrk
  local hint="start the stack first: make start-project (with the same settings), then make bench"
  curl -fs -o /dev/null --max-time 3 --cacert "$CERT_DIR/gateway.crt" "$GATEWAY/gateway-health" \
    || die "the gateway does not answer on $GATEWAY/gateway-health; $hint"
  curl -fs -o /dev/null --max-time 3 "$DIRECT/health/ready" \
    || die "api-v1-1 is not ready on $DIRECT/health/ready; $hint"
  local code
  code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CERT_DIR/gateway.crt" \
    -H "Authorization: $AUTHORIZATION" -H 'Content-Type: application/json' -d "$BENCH_SENTENCE_BODY" "$GATEWAY/predict")"
  [[ "$code" == 200 ]] || die "POST $GATEWAY/predict answers $code, not 200 (GATEWAY_USER/GATEWAY_PASSWORD as at start?)"
  ok "the stack answers on $GATEWAY and $DIRECT"
}

# --- the rate limit, lifted for the gateway run only ---------------------------------------------

RATE_CONF="$NGINX_STATE_DIR/conf.d/10-rate-limit.conf"
RATE_BACKUP="$NGINX_STATE_DIR/10-rate-limit.conf.before-bench"   # outside conf.d: nginx must not load it

# Checks the edited configuration, then has supervisord signal nginx to reload it.
nginx_reload() { nginx_run -t -q 2>/dev/null && supervisor_ctl signal HUP nginx >/dev/null; }

restore_rate_limit() {
  [[ -f "$RATE_BACKUP" ]] || return 0
  mv -f "$RATE_BACKUP" "$RATE_CONF"
  if nginx_reload; then
    ok "rate limit restored ($(grep -o 'rate=[0-9]*r/s' "$RATE_CONF"))"
  else
    warn "could not reload nginx with the restored rate limit; run make start-project"
  fi
}

lift_rate_limit() {
  restore_rate_limit   # a run killed before its trap left the lifted file behind
  cp -p "$RATE_CONF" "$RATE_BACKUP"
  trap restore_rate_limit EXIT
  trap 'exit 130' INT TERM
  sed -i -E 's#rate=[0-9]+r/s#rate=1000000r/s#' "$RATE_CONF"
  nginx_reload || die "nginx rejected the lifted rate limit"
  sleep 1   # old workers finish their connections; new ones have the lifted zone
  ok "rate limit lifted for this run (restored on exit)"
}

# --- measuring -----------------------------------------------------------------------------------

RESULTS=()

# wrk_run LABEL URL [VAR=value...]: one wrk run; appends "label|req/s|p50 ms|p99 ms|failed|load".
wrk_run() {
  local label="$1" url="$2" load output line
  shift 2
  if [[ "$BENCH_WARMUP" != 0 ]]; then
    step "warming up for $BENCH_WARMUP (not measured): $label"
    env "$@" wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_WARMUP" -s "$LUA_SCRIPT" "$url" >/dev/null 2>&1 || true
  fi
  load="$(cut -d' ' -f1 /proc/loadavg)"
  step "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION: $label ($url)"
  output="$(env "$@" wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" -s "$LUA_SCRIPT" "$url")" \
    || die "wrk failed on $url: $output"
  line="$(grep '^BENCH_RESULT ' <<<"$output")" || die "no result from wrk on $url: $output"
  RESULTS+=("$(awk -v label="$label" -v load="$load" '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "%s|%.0f|%.2f|%.2f|%d|%s", label, v["requests"] / (v["duration_us"] / 1e6),
             v["p50_us"] / 1000, v["p99_us"] / 1000, v["failed"], load }' <<<"$line")")
  ok "${RESULTS[-1]}"
}

# In-process inference: the model module's JMH benchmark, one thread, throughput and latency samples.
jmh_run() {
  local csv="$BENCH_DIR/jmh-$STAMP.csv" log="$BENCH_DIR/jmh-$STAMP.log" load
  load="$(cut -d' ' -f1 /proc/loadavg)"
  step "JMH: EmotionClassifierBenchmark.predict in-process, 1 thread (about a minute); log: $log"
  (cd "$PROJECT_ROOT" && mvn -B -q -pl emotion-model test-compile exec:exec@bench \
      -Dbench.args="-f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -e featurize -bm thrpt,sample -tu ms -rf csv -rff $csv") \
    >"$log" 2>&1 || die "the JMH benchmark failed; see $log"
  RESULTS+=("$(awk -F, -v load="$load" '
      $1 ~ /predict"$/ && $2 == "\"thrpt\"" { ops = $5 * 1000 }
      $1 ~ /predict:p0\.50"$/ { p50 = $5 }
      $1 ~ /predict:p0\.99"$/ { p99 = $5 }
      END { printf "(d) in-process inference (JMH, 1 thread)|%.0f|%.3f|%.3f|0|%s", ops, p50, p99, load }' "$csv")")
  ok "${RESULTS[-1]}"
}

print_table() {
  local row
  echo "# make bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$(nproc) cores, $(uname -m); wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION over loopback;" \
    "basic-auth scheme $(cut -d: -f2 "$NGINX_HTPASSWD_FILE" | grep -o '^{[A-Z]*}\|^\$[0-9a-z]*\$' || echo unknown);" \
    "load = 1-minute load average before the run."
  echo
  echo "| what | requests/s | p50 ms | p99 ms | failed | load |"
  echo "|---|---:|---:|---:|---:|---:|"
  for row in "${RESULTS[@]}"; do
    echo "| ${row//|/ | } |"
  done
}

main() {
  mkdir -p "$BENCH_DIR"
  STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
  require_running_stack

  wrk_run "(a) nginx static 200 over TLS (/gateway-health)" "$GATEWAY/gateway-health"
  lift_rate_limit
  wrk_run "(b) gateway: TLS, auth, A/B map, 3 v1 servers (/predict)" "$GATEWAY/predict" \
    BENCH_METHOD=POST BENCH_BODY="$BENCH_SENTENCE_BODY" BENCH_AUTHORIZATION="$AUTHORIZATION"
  restore_rate_limit
  wrk_run "(c) one Liberty server directly (api-v1-1)" "$DIRECT/predict" \
    BENCH_METHOD=POST BENCH_BODY="$BENCH_SENTENCE_BODY"
  jmh_run

  print_table | tee "$BENCH_DIR/bench-$STAMP.md"
  cp "$BENCH_DIR/bench-$STAMP.md" "$BENCH_DIR/bench-latest.md"
  echo
  echo "Written to $BENCH_DIR/bench-$STAMP.md (and bench-latest.md)."
}

main "$@"
