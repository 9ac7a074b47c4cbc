#!/usr/bin/env bash
# How fast each layer is, every row measured in this run on this machine (figures from another run
# or machine mean little: compare the ratios). Prints one table and keeps it in state/bench/.
#   make bench           nginx's TLS ceiling, the gateway with three v1 servers and with one, one
#                        server directly, the original design (../shared/bench/original) when it and
#                        its packages are there, in-process inference (JMH); then the ratios. Then a
#                        server's CPU per sentence: /predict against the Open Inference Protocol's
#                        batches of 64, and /predict with and without spans exported (the candidate
#                        server started twice, its OTLP endpoint a loopback sink the first time).
#   make bench-warmup    restarts the stack and prints 10-s windows through the gateway from the
#                        moment `make start-project` returns, then the same for one server restarted.
#   make bench-shadow    what shadow traffic costs clients: a paced load through the gateway with
#                        shadow 0 %, 100 %, 0 %... to a candidate that runs the champion's WAR.
# Needs the running native stack for `make bench`. wrk does not verify the gateway's certificate;
# that costs nothing here and the handshake is the same.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress packages wars liberty nginx gateway supervisor; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

: "${BENCH_THREADS:=2}"
: "${BENCH_CONNECTIONS:=16}"
: "${BENCH_DURATION:=10s}"
# An unmeasured run before each row: the JIT compiles that row's path, as in a server that has run a while.
: "${BENCH_WARMUP:=10s}"
# make bench-warmup: how many 10-s windows to print after the start. Thirty: after a full start the
# gateway climbs for about four minutes, and the last three windows of a shorter run are no plateau.
: "${BENCH_WINDOWS:=30}"
# The original design (FastAPI) beside this project: a folder with its up.sh/down.sh, or "off".
: "${BENCH_ORIGINAL:=$PROJECT_ROOT/../shared/bench/original}"
# The in-process row (JMH, about a minute): on, or off.
: "${BENCH_JMH:=on}"
# A typical tweet-length sentence, the same for every HTTP run of this project.
BENCH_SENTENCE='I love this sunny morning, it makes me so happy!'
BENCH_SENTENCE_BODY="{\"sentence\": \"$BENCH_SENTENCE\"}"
# The Open Inference Protocol's batch: that sentence BENCH_BATCH times in one request.
: "${BENCH_BATCH:=64}"
BENCH_BATCH_BODY="{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [$BENCH_BATCH], \"data\": [$(
  for ((i = 0; i < BENCH_BATCH; i++)); do printf '%s"%s"' "$([[ $i -gt 0 ]] && echo ', ')" "$BENCH_SENTENCE"; done
)]}]}"
# Where the server with spans on exports them: a loopback sink that nginx answers while make bench runs.
: "${BENCH_OTLP_SINK_PORT:=4318}"
BENCH_DIR="$STATE_DIR/bench"
LUA_SCRIPT="$SCRIPT_DIR/bench-request.lua"

GATEWAY="https://localhost:$GATEWAY_HTTPS_PORT"
DIRECT="http://127.0.0.1:$V1_BASE_PORT"
# The credentials reach wrk in its environment (BENCH_AUTHORIZATION, read by bench-request.lua) and
# curl on its standard input: never on a command line.
AUTHORIZATION="Basic $(printf '%s:%s' "$GATEWAY_USER" "$GATEWAY_PASSWORD" | base64 -w0)"
PREDICT_REQUEST=(BENCH_METHOD=POST BENCH_BODY="$BENCH_SENTENCE_BODY")
BATCH_REQUEST=(BENCH_METHOD=POST BENCH_BODY="$BENCH_BATCH_BODY")
GATEWAY_REQUEST=("${PREDICT_REQUEST[@]}" BENCH_AUTHORIZATION="$AUTHORIZATION")

# The original design's own setup (its README): admin:admin, ports shifted by 10000.
ORIGINAL_STATE="$BENCH_DIR/original"
ORIGINAL_GATEWAY="https://localhost:10443/predict"
ORIGINAL_DIRECT="http://127.0.0.1:19081/predict"
ORIGINAL_REQUEST=("${PREDICT_REQUEST[@]}" BENCH_AUTHORIZATION="Basic $(printf 'admin:admin' | base64 -w0)")

require_running_stack() {
  packages_require wrk:wrk
  local hint="start the stack first: make start-project (with the same settings), then make bench"
  curl -fs -o /dev/null --max-time 3 --cacert "$CERT_DIR/gateway.crt" "$GATEWAY/gateway-health" \
    || die "the gateway does not answer on $GATEWAY/gateway-health; $hint"
  curl -fs -o /dev/null --max-time 3 "$DIRECT/health/ready" \
    || die "api-v1-1 is not ready on $DIRECT/health/ready; $hint"
  local code
  code="$(gateway_curl -sS -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CERT_DIR/gateway.crt" \
    -H 'Content-Type: application/json' -d "$BENCH_SENTENCE_BODY" "$GATEWAY/predict")"
  [[ "$code" == 200 ]] || die "POST $GATEWAY/predict answers $code, not 200 (GATEWAY_USER/GATEWAY_PASSWORD as at start?)"
  ok "the stack answers on $GATEWAY and $DIRECT"
}

# --- the benchmark's nginx configuration, the settings' again on exit -----------------------------
# The gateway rows run with every rate limit lifted, and one row with api-v1-1 alone in the v1
# upstream: nginx.sh renders those files with the benchmark's values (RATE_LIMIT, V1_REPLICAS), then
# again with the settings' own on exit, which are those the stack was started with.

# The OTLP sink: a server of its own in the running nginx, removed on exit.
OTLP_SINK_CONF="$NGINX_STATE_DIR/conf.d/bench-otlp-sink.conf"
# Checks the rendered configuration, then has supervisord signal nginx to reload it.
nginx_reload() { nginx_run -t -q 2>/dev/null && supervisor_ctl signal HUP nginx >/dev/null; }

# bench_nginx_render RATE_LIMIT V1_REPLICAS: the rate-limit file and the upstream lists with these.
bench_nginx_render() {
  local RATE_LIMIT="$1" V1_REPLICAS="$2"
  nginx_render_file "$NGINX_TEMPLATE_DIR/templates/10-rate-limit.conf.template" "$NGINX_STATE_DIR/conf.d/10-rate-limit.conf"
  nginx_write_upstreams
}

# bench_nginx_unlimited V1_REPLICAS: no rate limit, the first V1_REPLICAS v1 servers in the upstream.
bench_nginx_unlimited() {
  BENCH_NGINX=rendered
  bench_nginx_render 1000000 "$1"
  nginx_reload || die "nginx rejected the benchmark's configuration (no rate limit, $1 v1 servers)"
  sleep 1 # old workers finish their connections; new ones have the new configuration
}

# An OTLP/HTTP receiver that takes every export and keeps nothing: POST /v1/traces answers 200 (an
# empty body is an empty protobuf answer). It costs the machine what a collector's reception would.
otlp_sink_on() {
  printf '%s\n' "# Generated by scripts/bench.sh for one run: a sink for the spans of the server measured with telemetry on." \
    "server { listen 127.0.0.1:$BENCH_OTLP_SINK_PORT; access_log off; location = /v1/traces { return 200; } location / { return 404; } }" \
    >"$OTLP_SINK_CONF"
  BENCH_NGINX=rendered
  nginx_reload || die "nginx rejected the OTLP sink on 127.0.0.1:$BENCH_OTLP_SINK_PORT (BENCH_OTLP_SINK_PORT)"
}

nginx_restore() {
  [[ "${BENCH_NGINX:-}" == rendered ]] || return 0
  rm -f "$OTLP_SINK_CONF"
  bench_nginx_render "$RATE_LIMIT" "$V1_REPLICAS"
  BENCH_NGINX=""
  if nginx_reload; then
    ok "nginx configuration rendered from the settings again (rate limit ${RATE_LIMIT}/s, $V1_REPLICAS v1 servers)"
  else
    warn "could not reload nginx with the settings' configuration; run make start-project"
  fi
}

original_down() {
  [[ -f "$ORIGINAL_STATE/nginx.conf" ]] || return 0
  ORIGINAL_STATE="$ORIGINAL_STATE" bash "$BENCH_ORIGINAL/down.sh" >/dev/null 2>&1 || true
}

cleanup() {
  nginx_restore
  original_down
  [[ -n "${CANDIDATE_STARTED:-}" ]] && "$SCRIPT_DIR/delivery.sh" candidate-stop >/dev/null 2>&1
  return 0
}

# --- measuring -----------------------------------------------------------------------------------

RESULTS=() # "key|label|req/s|p50 ms|p99 ms|failed|load"
declare -A RATE

# wrk_once URL DURATION [VAR=value...]: prints "req/s p50_ms p99_ms failed" of one wrk run. The
# VAR=value pairs are exported in a subshell (a builtin), not given to `env`, whose command line shows them.
wrk_once() {
  local url="$1" duration="$2" output line
  shift 2
  # shellcheck disable=SC2163 # the arguments are VAR=value pairs
  output="$(
    (($#)) && export "$@"
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$duration" -s "$LUA_SCRIPT" "$url" 2>&1
  )" \
    || die "wrk failed on $url: $output"
  line="$(grep '^BENCH_RESULT ' <<<"$output")" || die "no result from wrk on $url: $output"
  awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         printf "%.0f %.2f %.2f %d\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000,
                v["p99_us"] / 1000, v["failed"] }' <<<"$line"
}

# wrk_row KEY LABEL URL [VAR=value...]: an unmeasured warm-up run, then the measured one.
wrk_row() {
  local key="$1" label="$2" url="$3" load rps p50 p99 failed
  shift 3
  if [[ "$BENCH_WARMUP" != 0 ]]; then
    step "warming up for $BENCH_WARMUP (not measured): $label"
    wrk_once "$url" "$BENCH_WARMUP" "$@" >/dev/null
  fi
  load="$(cut -d' ' -f1 /proc/loadavg)"
  step "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION: $label ($url)"
  read -r rps p50 p99 failed < <(wrk_once "$url" "$BENCH_DURATION" "$@")
  RATE[$key]="$rps"
  RESULTS+=("$key|$label|$rps|$p50|$p99|$failed|$load")
  ok "$rps requests/s, p50 $p50 ms, p99 $p99 ms, $failed failed"
}

# --- a server's cost per sentence -------------------------------------------------------------------

COSTS=() # "label|requests/s|sentences/s|CPU µs per sentence|p50 ms|p99 ms|failed|load"
declare -A COST
CANDIDATE=api-candidate

# wrk's duration (10s, 2m, 1h) in seconds.
duration_seconds() { awk -v d="$1" 'BEGIN { n = d + 0; u = substr(d, length(d)); print (u == "m" ? n * 60 : u == "h" ? n * 3600 : n) }'; }

# CPU time (user + system) of a process so far, in clock ticks (proc(5): fields 14 and 15 of stat).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# cost_row KEY LABEL URL SENTENCES PROGRAM [VAR=value...]: as wrk_row, and the CPU time the program
# (a server, as supervisord runs it) spent during the measured run, per sentence answered.
cost_row() {
  local key="$1" label="$2" url="$3" sentences="$4" program="$5" pid load rps p50 p99 failed before after
  shift 5
  pid="$(supervisor_ctl pid "$program")"
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || die "$program is not running (supervisorctl pid: $pid)"
  if [[ "$BENCH_WARMUP" != 0 ]]; then
    step "warming up for $BENCH_WARMUP (not measured): $label"
    wrk_once "$url" "$BENCH_WARMUP" "$@" >/dev/null
  fi
  load="$(cut -d' ' -f1 /proc/loadavg)"
  step "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION: $label ($url)"
  before="$(cpu_ticks "$pid")"
  read -r rps p50 p99 failed < <(wrk_once "$url" "$BENCH_DURATION" "$@")
  after="$(cpu_ticks "$pid")"
  # Ticks to microseconds, over the sentences answered in the run (requests/s x duration x sentences each).
  COST[$key]="$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v r="$rps" -v d="$(duration_seconds "$BENCH_DURATION")" -v n="$sentences" \
    'BEGIN { printf "%.1f", t / hz * 1e6 / (r * d * n) }')"
  COSTS+=("$label|$rps|$((rps * sentences))|${COST[$key]}|$p50|$p99|$failed|$load")
  ok "$rps requests/s ($((rps * sentences)) sentences/s), ${COST[$key]} µs of $program's CPU per sentence, p50 $p50 ms, p99 $p99 ms, $failed failed"
}

cost_ratio() { # cost_ratio A B: A/B to two decimals, or "n/a"
  local a="${COST[$1]:-}" b="${COST[$2]:-}"
  [[ -n "$a" && -n "$b" && "$b" != 0.0 ]] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }' || echo n/a
}

# The candidate server (scripts/delivery.sh) running api-v1-1's WAR, with spans exported to the sink or not.
candidate_with_telemetry() {
  local endpoint="$1"
  "$SCRIPT_DIR/delivery.sh" candidate-stop >/dev/null 2>&1 || true
  CANDIDATE_STARTED=1
  TRACES_OTLP_ENDPOINT="$endpoint" "$SCRIPT_DIR/delivery.sh" candidate-start "$LIBERTY_SERVERS_DIR/api-v1-1/apps/ml-api-v1.war" \
    >"$BENCH_DIR/candidate-$STAMP.log" 2>&1 || die "the candidate did not start; see $BENCH_DIR/candidate-$STAMP.log"
}

cost_rows() {
  local direct_candidate="http://127.0.0.1:$CANDIDATE_PORT"
  cost_row predict "api-v1-1: POST /predict, 1 sentence a request" "$DIRECT/predict" 1 api-v1-1 "${PREDICT_REQUEST[@]}"
  cost_row batch "api-v1-1: POST /v2/models/emotion/infer, $BENCH_BATCH sentences a request" \
    "$DIRECT/v2/models/emotion/infer" "$BENCH_BATCH" api-v1-1 "${BATCH_REQUEST[@]}"
  step "the candidate server with api-v1-1's WAR, spans off (the default), then on (OTLP to the loopback sink)"
  candidate_with_telemetry ""
  cost_row telemetry-off "api-candidate: POST /predict, telemetry off" "$direct_candidate/predict" 1 "$CANDIDATE" "${PREDICT_REQUEST[@]}"
  otlp_sink_on
  candidate_with_telemetry "http://127.0.0.1:$BENCH_OTLP_SINK_PORT"
  cost_row telemetry-on "api-candidate: POST /predict, spans to OTLP" "$direct_candidate/predict" 1 "$CANDIDATE" "${PREDICT_REQUEST[@]}"
  "$SCRIPT_DIR/delivery.sh" candidate-stop >/dev/null 2>&1 || warn "the candidate did not stop; make candidate-stop"
  CANDIDATE_STARTED=""
}

# In-process inference: the model module's JMH benchmark, one thread.
jmh_row() {
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
      END { printf "jmh|in-process inference (JMH, 1 thread)|%.0f|%.3f|%.3f|0|%s", ops, p50, p99, load }' "$csv")")
  ok "${RESULTS[-1]#*|}"
}

# The original design, started beside the stack on its own ports, measured, then stopped.
original_rows() {
  if [[ "$BENCH_ORIGINAL" == off || ! -f "$BENCH_ORIGINAL/up.sh" ]]; then
    NOTES+=("original design: skipped (no $BENCH_ORIGINAL/up.sh; BENCH_ORIGINAL names its folder)")
    return
  fi
  # up.sh runs Debian's /usr/bin/python3 (a python3 earlier in PATH may lack the packages).
  if ! /usr/bin/python3 -c 'import fastapi, uvicorn, sklearn' 2>/dev/null; then
    NOTES+=("original design: skipped (needs Debian's python3-fastapi python3-uvicorn python3-sklearn)")
    return
  fi
  step "starting the original design (FastAPI, $BENCH_ORIGINAL) on ports 10443 and 19081-19084"
  mkdir -p "$ORIGINAL_STATE"
  original_down
  ORIGINAL_STATE="$ORIGINAL_STATE" timeout 300 bash "$BENCH_ORIGINAL/up.sh" 1000000r/s >"$ORIGINAL_STATE/up.log" 2>&1 \
    || die "the original design did not start; see $ORIGINAL_STATE/up.log"
  wrk_row original-gateway "original design's gateway (FastAPI x3, same nginx path)" "$ORIGINAL_GATEWAY" "${ORIGINAL_REQUEST[@]}"
  wrk_row original-server "one original server directly" "$ORIGINAL_DIRECT" "${ORIGINAL_REQUEST[@]}"
  original_down
}

ratio() { # ratio A B: A/B to one decimal, or "n/a"
  local a="${RATE[$1]:-}" b="${RATE[$2]:-}"
  [[ -n "$a" && -n "$b" && "$b" != 0 ]] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }' || echo n/a
}

machine_line() {
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
    "$(java -version 2>&1 | head -1 | cut -d'"' -f2 | sed 's/^/JDK /'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Resident memory of the whole stack: every program supervisord runs and their children (Nginx's
# workers), in MiB. A stopped program (the candidate, mostly) has pid 0.
stack_memory_mib() {
  local pids
  pids="$(supervisor_ctl pid all 2>/dev/null | grep -E '^[1-9][0-9]*$' | paste -sd, -)"
  [[ -n "$pids" ]] || {
    echo "n/a"
    return
  }
  ps -o rss= --pid "$pids" --ppid "$pids" | awk '{ kib += $1 } END { printf "%.0f", kib / 1024 }'
}

print_table() {
  local row note
  echo "# make bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(machine_line). wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION over loopback," \
    "after $BENCH_WARMUP unmeasured; load = 1-minute load average before each row."
  echo
  echo "| ratio (same run) | value |"
  echo "|---|---:|"
  echo "| gateway (3 v1) / original design's gateway | $(ratio gateway original-gateway) |"
  echo "| one server / one original server | $(ratio server original-server) |"
  echo "| gateway with 3 v1 servers / gateway with 1 | $(ratio gateway gateway-one) |"
  echo "| gateway (3 v1) / nginx TLS ceiling | $(ratio gateway nginx) |"
  echo "| server CPU per sentence: batches of $BENCH_BATCH / single /predict | $(cost_ratio batch predict) |"
  echo "| server CPU per sentence: telemetry on / off | $(cost_ratio telemetry-on telemetry-off) |"
  echo
  echo "Resident memory of the whole stack (every program supervisord runs, with Nginx's workers): $MEMORY MiB after the runs."
  echo
  echo "| what | requests/s | p50 ms | p99 ms | failed | load |"
  echo "|---|---:|---:|---:|---:|---:|"
  for row in "${RESULTS[@]}"; do
    row="${row#*|}"
    echo "| ${row//|/ | } |"
  done
  echo
  echo "A server's cost per sentence (its JVM's CPU time during the run, over the sentences it answered):"
  echo
  echo "| what | requests/s | sentences/s | CPU µs per sentence | p50 ms | p99 ms | failed | load |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${COSTS[@]}"; do
    echo "| ${row//|/ | } |"
  done
  for note in "${NOTES[@]}"; do
    echo
    echo "Note: $note"
  done
}

bench_all() {
  require_running_stack
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  NOTES=()
  # Every rate limit lifted (the API's and that of the gateway's own answers, such as /gateway-health).
  bench_nginx_unlimited "$V1_REPLICAS"
  wrk_row nginx "nginx static 200 over TLS (/gateway-health)" "$GATEWAY/gateway-health"
  wrk_row gateway "gateway: TLS, auth, A/B map, 3 v1 servers (/predict)" "$GATEWAY/predict" "${GATEWAY_REQUEST[@]}"
  bench_nginx_unlimited 1
  wrk_row gateway-one "the same gateway, api-v1-1 alone in the v1 upstream" "$GATEWAY/predict" "${GATEWAY_REQUEST[@]}"
  nginx_restore
  wrk_row server "one Liberty server directly (api-v1-1)" "$DIRECT/predict" "${PREDICT_REQUEST[@]}"
  MEMORY="$(stack_memory_mib)"
  cost_rows
  original_rows
  if [[ "$BENCH_JMH" == off ]]; then NOTES+=("in-process inference: skipped (BENCH_JMH=off)"); else jmh_row; fi
  print_table | tee "$BENCH_DIR/bench-$STAMP.md"
  cp "$BENCH_DIR/bench-$STAMP.md" "$BENCH_DIR/bench-latest.md"
  echo
  echo "Written to $BENCH_DIR/bench-$STAMP.md (and bench-latest.md)."
}

# windows URL NAME [VAR=value...]: BENCH_WINDOWS back-to-back 10-s wrk runs, no warm-up; prints each
# window against the plateau (the mean of the last three).
windows() {
  local url="$1" name="$2" i rps rates=() plateau
  shift 2
  for ((i = 1; i <= BENCH_WINDOWS; i++)); do
    read -r rps _ < <(wrk_once "$url" 10s "$@")
    rates+=("$rps")
    printf '    window %d (%3d-%3d s): %6d requests/s\n' "$i" $(((i - 1) * 10)) $((i * 10)) "$rps"
  done
  plateau="$(printf '%s\n' "${rates[@]}" | tail -n 3 | awk '{ s += $1 } END { printf "%.0f", s / NR }')"
  echo "$name: ${rates[*]} requests/s; plateau (mean of the last 3) $plateau; first window" \
    "$(awk -v a="${rates[0]}" -v b="$plateau" 'BEGIN { printf "%.0f%%", 100 * a / b }') of the plateau" \
    | tee -a "$WARMUP_REPORT"
}

bench_warmup() {
  packages_require wrk:wrk
  WARMUP_REPORT="$BENCH_DIR/warmup-$STAMP.md"
  echo "# make bench-warmup, $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(machine_line)" >"$WARMUP_REPORT"
  step "restarting the stack: make stop-project, then make start-project (timed)"
  "$SCRIPT_DIR/stack.sh" stop >"$BENCH_DIR/warmup-stop.log" 2>&1 || die "stop failed; see $BENCH_DIR/warmup-stop.log"
  local started=$SECONDS
  "$SCRIPT_DIR/stack.sh" start >"$BENCH_DIR/warmup-start.log" 2>&1 || die "start failed; see $BENCH_DIR/warmup-start.log"
  echo "make start-project: $((SECONDS - started)) s from stopped to the URL table" | tee -a "$WARMUP_REPORT"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  bench_nginx_unlimited "$V1_REPLICAS"
  step "$BENCH_WINDOWS windows of 10 s through the gateway (/predict, 3 v1 servers), from now"
  windows "$GATEWAY/predict" "gateway after make start-project" "${GATEWAY_REQUEST[@]}"
  nginx_restore
  step "restarting api-v1-1 through the supervisor, as make rollout does, then windows on it directly"
  supervisor_ctl restart api-v1-1 >/dev/null || die "supervisorctl restart api-v1-1 failed"
  started=$SECONDS
  wait_until 180 "api-v1-1 to be ready" liberty_server_ready "$V1_BASE_PORT" || die "api-v1-1 not ready after 180 s"
  echo "api-v1-1 restarted: ready $((SECONDS - started)) s after supervisorctl restart returned" | tee -a "$WARMUP_REPORT"
  windows "$DIRECT/predict" "api-v1-1 directly after its restart" "${PREDICT_REQUEST[@]}"
  echo "Written to $WARMUP_REPORT"
}

# make bench-shadow: the same paced load (BENCH_SHADOW_CONNECTIONS connections, each pausing
# BENCH_SHADOW_PAUSE_MS between answer and request: about 150 requests/s) through the gateway, with
# every v1 request mirrored (100 %) and without (0 %), in turn: 0, 100, 0, ... 0 for
# BENCH_SHADOW_ROUNDS rounds. Each 100 % run is compared with the mean of the 0 % runs on either
# side, so the machine's own drift (the servers still compiling, other work) falls on both sides.
# The candidate shares the two cores with everything else, as in make canary.
: "${BENCH_SHADOW_CONNECTIONS:=16}"
: "${BENCH_SHADOW_PAUSE_MS:=100}"
: "${BENCH_SHADOW_ROUNDS:=3}"
bench_shadow() {
  [[ "$BENCH_SHADOW_ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SHADOW_ROUNDS must be a whole number of at least 1: '$BENCH_SHADOW_ROUNDS'"
  require_running_stack
  trap 'nginx_restore; "$SCRIPT_DIR/delivery.sh" candidate-stop >/dev/null 2>&1 || true' EXIT
  trap 'exit 130' INT TERM
  "$SCRIPT_DIR/delivery.sh" candidate-start "$LIBERTY_SERVERS_DIR/api-v1-1/apps/ml-api-v1.war"
  # One load address above the per-client limit: lifted, as for the gateway rows of make bench.
  bench_nginx_unlimited "$V1_REPLICAS"
  local BENCH_CONNECTIONS="$BENCH_SHADOW_CONNECTIONS" shadow run=0 round line label rps p50 p99 failed p99s=""
  local plan=(0)
  for ((round = 1; round <= BENCH_SHADOW_ROUNDS; round++)); do plan+=(100 0); done
  RESULTS=()
  for shadow in "${plan[@]}"; do
    "$SCRIPT_DIR/delivery.sh" traffic "$shadow" 0 >/dev/null
    sleep 1 # old workers finish; new ones mirror
    run=$((run + 1))
    wrk_row "shadow$run" "gateway, shadow $shadow %" "$GATEWAY/predict" "${GATEWAY_REQUEST[@]}" BENCH_DELAY_MS="$BENCH_SHADOW_PAUSE_MS"
  done
  echo
  echo "Machine: $(machine_line); wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION, each connection pausing ${BENCH_SHADOW_PAUSE_MS} ms"
  printf '| %-24s | %10s | %8s | %8s | %6s |\n' run requests/s "p50 ms" "p99 ms" failed
  for line in "${RESULTS[@]}"; do
    IFS='|' read -r _ label rps p50 p99 failed _ <<<"$line"
    printf '| %-24s | %10s | %8s | %8s | %6s |\n' "$label" "$rps" "$p50" "$p99" "$failed"
    p99s+="$p99 "
  done
  # Runs alternate 0 %, 100 %, 0 %...: each 100 % run against the mean of its two neighbours.
  awk -v p99s="$p99s" 'BEGIN {
    n = split(p99s, p, " ")
    for (i = 2; i < n; i += 2) {
      m = (p[i - 1] + p[i + 1]) / 2; d = 100 * (p[i] - m) / m; sum += d; rounds++
      printf "round %d: p99 with shadow 100 %%: %.2f ms, %+.0f %% against %.2f ms without (mean of %.2f and %.2f)\n", rounds, p[i], d, m, p[i - 1], p[i + 1]
    }
    printf "p99 with shadow 100 %%: %+.0f %% on average over %d rounds\n", sum / rounds, rounds }'
}

# make bench-wars WARS="a.war b.war": the gateway's throughput (3 v1 servers, /predict) with each WAR
# rolled in by make rollout, in turn, BENCH_WAR_ROUNDS times (a b a b...), so the machine's drift falls
# on every WAR alike; each row after BENCH_WAR_WARMUP unmeasured (the servers were just restarted).
# Prints the mean per WAR and its ratio to the first, then rolls the WAR that was deployed back in.
: "${BENCH_WAR_ROUNDS:=2}"
: "${BENCH_WAR_WARMUP:=60s}"
bench_wars() {
  local wars=() war i round sum n loads
  BENCH_DEPLOYED="$BENCH_DIR/deployed-before-bench.war"
  read -ra wars <<<"${WARS:-}"
  ((${#wars[@]} >= 2)) || die "usage: make bench-wars WARS=\"first.war second.war ...\" (at least two)"
  for war in "${wars[@]}"; do [[ -f "$war" ]] || die "no WAR at $war"; done
  require_running_stack
  cp "$LIBERTY_SERVERS_DIR/api-v1-1/apps/ml-api-v1.war" "$BENCH_DEPLOYED"
  trap 'nginx_restore; step "rolling the WAR deployed before back in"; WAR="$BENCH_DEPLOYED" "$SCRIPT_DIR/rollout.sh" >"$BENCH_DIR/rollout-back.log" 2>&1 || warn "see $BENCH_DIR/rollout-back.log"' EXIT
  trap 'exit 130' INT TERM
  bench_nginx_unlimited "$V1_REPLICAS"
  local BENCH_WARMUP="$BENCH_WAR_WARMUP"
  RESULTS=()
  for ((round = 1; round <= BENCH_WAR_ROUNDS; round++)); do
    for i in "${!wars[@]}"; do
      step "round $round: rolling in ${wars[i]}"
      WAR="${wars[i]}" "$SCRIPT_DIR/rollout.sh" >"$BENCH_DIR/rollout-$i.log" 2>&1 || die "make rollout failed; see $BENCH_DIR/rollout-$i.log"
      wrk_row "war$i-$round" "$(basename "${wars[i]}") (model $(wars_model_version "${wars[i]}")), round $round" \
        "$GATEWAY/predict" "${GATEWAY_REQUEST[@]}"
    done
  done
  echo
  echo "# make bench-wars, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "Machine: $(machine_line). wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION through the gateway (3 v1 servers), after $BENCH_WARMUP unmeasured."
  echo
  echo "| WAR | requests/s per round (1-minute load average before) | mean | ratio to the first |"
  echo "|---|---|---:|---:|"
  for i in "${!wars[@]}"; do
    sum=0 n=""
    for ((round = 1; round <= BENCH_WAR_ROUNDS; round++)); do
      loads="$(printf '%s\n' "${RESULTS[@]}" | awk -F'|' -v k="war$i-$round" '$1 == k { print $7 }')"
      n+="${RATE["war$i-$round"]} ($loads) "
      sum=$((sum + ${RATE["war$i-$round"]}))
    done
    RATE[war$i]=$((sum / BENCH_WAR_ROUNDS))
    echo "| $(basename "${wars[i]}") | $n| ${RATE[war$i]} | $(ratio "war$i" war0) |"
  done
}

main() {
  mkdir -p "$BENCH_DIR"
  STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
  case "${1:-all}" in
    all) bench_all ;;
    warmup) bench_warmup ;;
    shadow) bench_shadow ;;
    wars) bench_wars ;;
    *) die "usage: scripts/bench.sh [all|warmup|shadow|wars]" ;;
  esac
}

main "$@"
