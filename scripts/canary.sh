#!/usr/bin/env bash
# Progressive delivery of a candidate WAR, judged by Prometheus (docs/delivery.md#make-canary):
#   scripts/canary.sh run [WAR]  starts the candidate (api-candidate), mirrors CANARY_SHADOW_PERCENT of
#                                v1 traffic to it until CANARY_SHADOW_MIN_REQUESTS were compared, gates
#                                agreement, 5xx and p99; then answers CANARY_STEPS % of v1 clients in
#                                turn, each step held CANARY_STEP_SECONDS and gated on 5xx, p99 and the
#                                divergence of its labels from the champion's; then rolls the v1 servers
#                                to WAR (scripts/rollout.sh) and retires the candidate. A failed gate sets
#                                the shares to 0 and stops the candidate at once.
#                                Exit 0 promoted, 3 rolled back, 1 on an error, 130 or 143 when
#                                interrupted; the shares end at 0 whatever the outcome.
#   scripts/canary.sh status     where the last run stands
# WAR defaults to ml-api-v1.war (rebuilt if stale: the model of the last `make train`). Every
# decision goes to stdout, state/logs/canary.log and the canary_* metrics (scripts/lib/canary.sh).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress wars liberty nginx canary monitoring supervisor; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

DELIVERY="$SCRIPT_DIR/delivery.sh"
CANDIDATE=api-candidate
RUN_OVER=false

# ---- Prometheus --------------------------------------------------------------------------------------
CAND='job="liberty",instance_name="api-candidate"'
CHAMP='job="liberty",instance_name=~"api-v1-[0-9]+"'
PREDICT='http_route="/predict"'

# The value of an instant query, NaN when it has none (no data yet, or Prometheus not answering).
prom() {
  local value
  value="$(curl -fsS --max-time 10 --data-urlencode "query=$1" "$PROMETHEUS_URL/api/v1/query" 2>/dev/null \
    | jq -r '.data.result[0].value[1] // "NaN"' 2>/dev/null)" || value=NaN
  echo "${value:-NaN}"
}

# The queries each gate runs; WINDOW is the seconds the phase or step has lasted.
requests_query() { echo "sum(increase(http_server_request_duration_seconds_count{$CAND,$PREDICT}[$1s]))"; }
error_ratio_query() {
  echo "(sum(increase(http_server_request_duration_seconds_count{$CAND,$PREDICT,http_response_status_code=~\"5..\"}[$1s])) or vector(0))" \
    "/ sum(increase(http_server_request_duration_seconds_count{$CAND,$PREDICT}[$1s]))"
}
p99_query() { echo "histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{$1,$PREDICT}[$2s])))"; }
# Mirrored requests the candidate scored with both models, and the share where the labels agree.
compared_query() { echo "sum(shadow_comparisons_total{$CAND,candidate_version=\"$1\"})"; }
agreement_query() {
  echo "(sum(shadow_comparisons_total{$CAND,candidate_version=\"$1\",agree=\"true\"}) or vector(0))" \
    "/ sum(shadow_comparisons_total{$CAND,candidate_version=\"$1\"})"
}
# Jensen-Shannon divergence (bits) of the candidate's predicted labels over its window from the
# champion's over the run: p, q the two label distributions, m their mean, 0 log 0 taken as 0.
divergence_query() {
  local p q m
  p="(sum by (label) (increase(predictions_total{$CAND}[$1s])) / on() group_left sum(increase(predictions_total{$CAND}[$1s])))"
  q="(sum by (label) (increase(predictions_total{$CHAMP}[$2s])) / on() group_left sum(increase(predictions_total{$CHAMP}[$2s])))"
  p="($p or $q * 0)" q="($q or $p * 0)"
  m="(($p + $q) / 2)"
  echo "0.5 * sum(($p > 0) * log2(($p > 0) / $m)) + 0.5 * sum(($q > 0) * log2(($q > 0) / $m))"
}

# ---- Decisions ---------------------------------------------------------------------------------------
log() {
  mkdir -p "$LOG_DIR"
  printf '%s %s\n' "$(date -u +%FT%TZ)" "$*" >>"$CANARY_LOG"
  printf '==> %s\n' "$*"
}

set_phase() {
  canary_phase="$1" canary_weight="$2" canary_shadow="$3"
  canary_save_state
}

decide() {  # decide DECISION GATE VALUE THRESHOLD STEP
  canary_decision="$1" canary_gate="$2" canary_value="$3" canary_threshold="$4" canary_step="$5"
  canary_decided_at="$(date +%s)"
  canary_save_state
}

# gate NAME VALUE PASSES-IF THRESHOLD: true when VALUE passes (e.g. gate 5xx 0.002 '<=' 0.01) or is
# NaN (not measurable yet); else records the failure in FAILED_GATE. Appends to GATES for the log.
gate() {
  local name="$1" value="$2" op="$3" limit="$4"
  if [[ "$value" == NaN ]]; then
    GATES+="$name n/a; "
    return 0
  fi
  value="$(printf '%.4g' "$value")"
  if awk -v v="$value" -v t="$limit" "BEGIN { exit !(v $op t) }"; then
    GATES+="$name $value $op $limit; "
    return 0
  fi
  FAILED_GATE="$name" FAILED_VALUE="$value" FAILED_LIMIT="$op $limit"
  return 1
}

# at_least COUNT MIN: a phase has the requests it needs to be judged (NaN: none yet).
at_least() { awk -v c="$1" -v n="$2" 'BEGIN { exit !(c != "NaN" && c + 0 >= n) }'; }

# The candidate's p99 may be CANARY_MAX_P99_RATIO times the champion's, and always CANARY_P99_FLOOR_MS:
# below it both are a few ms and their ratio is noise.
p99_gate() {
  local candidate champion limit
  candidate="$(prom "$(p99_query "$CAND" "$1")")"
  champion="$(prom "$(p99_query "$CHAMP" "$2")")"
  [[ "$champion" == NaN ]] && champion=0
  limit="$(awk -v c="$champion" -v r="$CANARY_MAX_P99_RATIO" -v f="$CANARY_P99_FLOOR_MS" \
    'BEGIN { l = c * r; if (l < f / 1000) l = f / 1000; printf "%.4g", l }')"
  gate p99_seconds "$candidate" '<=' "$limit"
}

rollback() {
  local where="$1"
  log "ROLLBACK in $where: gate $FAILED_GATE failed, value $FAILED_VALUE, threshold $FAILED_LIMIT"
  canary_rollbacks=$((canary_rollbacks + 1))
  decide rollback "$FAILED_GATE" "$FAILED_VALUE" "$FAILED_LIMIT" "$where"
  "$DELIVERY" candidate-stop
  set_phase rolled_back 0 0
  log "Rolled back: shares 0 %, $CANDIDATE stopped; the v1 servers serve $CHAMPION_VERSION as before"
  RUN_OVER=true
  exit 3
}

# too_few GATE COUNT MIN WHERE: a phase ended without the requests it needs to be judged.
too_few() {
  FAILED_GATE="$1" FAILED_VALUE="${2%.*}" FAILED_LIMIT=">= $3"
  rollback "$4"
}

# Ctrl-C, a kill or an error: no share stays on a candidate nobody watches.
on_exit() {
  local status=$?
  "$RUN_OVER" && return
  trap - EXIT INT TERM
  log "Interrupted (exit $status) in phase $canary_phase: shares back to 0, stopping $CANDIDATE"
  "$DELIVERY" candidate-stop >/dev/null 2>&1 || "$DELIVERY" traffic 0 0 >/dev/null 2>&1 || true
  [[ "$canary_phase" == promoting ]] \
    && log "The rollout was cut short: the v1 servers may serve two models; finish it with make rollout WAR=$canary_war"
  decide abort interrupted "$status" "" "$canary_phase"
  set_phase aborted 0 0
  exit "$status"
}

# ---- The run -----------------------------------------------------------------------------------------
shadow_phase() {
  local started=$SECONDS elapsed compared
  "$DELIVERY" traffic "$CANARY_SHADOW_PERCENT" 0
  set_phase shadow 0 "$CANARY_SHADOW_PERCENT"
  log "Shadow: $CANARY_SHADOW_PERCENT % of v1 requests mirrored; judging after $CANARY_SHADOW_MIN_REQUESTS compared (at most ${CANARY_SHADOW_MAX_SECONDS}s)"
  while true; do
    sleep "$CANARY_CHECK_SECONDS"
    elapsed=$((SECONDS - started))
    compared="$(prom "$(compared_query "$VERSION")")"
    if at_least "$compared" "$CANARY_SHADOW_MIN_REQUESTS"; then
      GATES=""
      gate agreement "$(prom "$(agreement_query "$VERSION")")" '>=' "$CANARY_MIN_AGREEMENT" || rollback shadow
      gate error_ratio "$(prom "$(error_ratio_query "$elapsed")")" '<=' "$CANARY_MAX_5XX_RATIO" || rollback shadow
      p99_gate "$elapsed" "$elapsed" || rollback shadow
      log "Shadow passed after ${elapsed}s: ${compared%.*} requests compared; $GATES"
      decide advance shadow "${compared%.*}" "$CANARY_SHADOW_MIN_REQUESTS" shadow
      return
    fi
    if ((elapsed >= CANARY_SHADOW_MAX_SECONDS)); then
      too_few shadow_requests "$compared" "$CANARY_SHADOW_MIN_REQUESTS" shadow
    fi
  done
}

canary_step() {
  local weight="$1" started=$SECONDS elapsed requests
  "$DELIVERY" traffic 0 "$weight"
  set_phase canary "$weight" 0
  log "Canary $weight %: held ${CANARY_STEP_SECONDS}s, gates checked every ${CANARY_CHECK_SECONDS}s"
  while true; do
    sleep "$CANARY_CHECK_SECONDS"
    elapsed=$((SECONDS - started))
    requests="$(prom "$(requests_query "$elapsed")")"
    if at_least "$requests" "$CANARY_STEP_MIN_REQUESTS"; then
      GATES=""
      gate error_ratio "$(prom "$(error_ratio_query "$elapsed")")" '<=' "$CANARY_MAX_5XX_RATIO" || rollback "canary $weight %"
      p99_gate "$elapsed" "$((SECONDS - RUN_STARTED))" || rollback "canary $weight %"
      gate divergence_bits "$(prom "$(divergence_query "$elapsed" "$((SECONDS - RUN_STARTED))")")" '<=' "$CANARY_MAX_DIVERGENCE" \
        || rollback "canary $weight %"
      if ((elapsed >= CANARY_STEP_SECONDS)); then
        log "Canary $weight % passed after ${elapsed}s: ${requests%.*} requests answered; $GATES"
        decide advance "canary $weight %" "${requests%.*}" "$CANARY_STEP_MIN_REQUESTS" "canary $weight %"
        return
      fi
    elif ((elapsed >= CANARY_STEP_SECONDS)); then
      too_few step_requests "$requests" "$CANARY_STEP_MIN_REQUESTS" "canary $weight %"
    fi
  done
}

promote() {
  set_phase promoting 0 0
  log "Promoting model $VERSION: shares back to 0, then the v1 servers roll to $WAR one at a time"
  "$DELIVERY" traffic 0 0
  WAR="$WAR" "$SCRIPT_DIR/rollout.sh"
  "$DELIVERY" candidate-stop
  canary_promotions=$((canary_promotions + 1))
  decide promote rollout "$VERSION" "" promoted
  set_phase promoted 0 0
  log "Promoted: every v1 server serves model $VERSION (was $CHAMPION_VERSION); $CANDIDATE retired"
  RUN_OVER=true
}

cmd_run() {
  WAR="${1:-${WAR:-}}"
  if [[ -z "$WAR" ]]; then
    wars_build_if_stale
    WAR="$WAR_DIR/ml-api-v1.war"
  fi
  [[ -f "$WAR" ]] || die "no WAR at $WAR"
  WAR="$(cd "$(dirname "$WAR")" && pwd)/$(basename "$WAR")"
  VERSION="$(wars_model_version "$WAR")" || die "$WAR is not a WAR of this API with a consistent model card"
  supervisor_running && [[ "$(supervisor_state nginx)" == RUNNING ]] \
    || die "the stack is not running; start it first (make start-project)"
  CHAMPION_VERSION="$(wars_model_version "$LIBERTY_SERVERS_DIR/api-v1-1/apps/ml-api-v1.war")" || die "no champion WAR on api-v1-1"
  mkdir -p "$CANARY_STATE_DIR"
  exec 9>"$CANARY_STATE_DIR/lock"
  flock -n 9 || die "another make canary is running (make canary-status)"

  canary_load_state
  canary_candidate_version="$VERSION" canary_war="$WAR" canary_started_at="$(date +%s)"
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  RUN_STARTED=$SECONDS
  log "Canary run: candidate model $VERSION ($WAR), champion $CHAMPION_VERSION; steps ${CANARY_STEPS//,/ } %"
  decide start "" "" "" starting
  set_phase starting 0 0
  "$DELIVERY" candidate-start "$WAR"
  shadow_phase
  local weight
  for weight in ${CANARY_STEPS//,/ }; do
    canary_step "$weight"
  done
  promote
}

cmd_status() {
  canary_load_state
  local since="" step=""
  ((canary_decided_at > 0)) && since=" at $(date -u -d "@$canary_decided_at" +%FT%TZ)"
  [[ "$canary_phase" == canary ]] && step=" (weight $canary_weight %)"
  [[ "$canary_phase" == shadow ]] && step=" ($canary_shadow % mirrored)"
  printf '  %-14s %s\n' phase "$canary_phase$step" \
    candidate "${canary_candidate_version:-none}${canary_war:+ ($canary_war)}" \
    "last decision" "$canary_decision${canary_step:+ in $canary_step}${canary_gate:+: $canary_gate}${canary_value:+ = $canary_value}${canary_threshold:+ (threshold $canary_threshold)}$since" \
    totals "$canary_promotions promoted, $canary_rollbacks rolled back"
  # The candidate server and the shares in force, as make delivery-status shows them.
  supervisor_running && "$DELIVERY" status
  if [[ -f "$CANARY_LOG" ]]; then
    echo "  last lines of $CANARY_LOG:"
    tail -n 5 "$CANARY_LOG" | sed 's/^/    /'
  fi
}

# The PromQL of each gate, as a run sends it: for a candidate VERSION, a phase or step of WINDOW
# seconds and a run of RUN_WINDOW seconds. One "name<TAB>query" a line (CanaryGateQueriesTest).
cmd_queries() {
  local version="${1:?usage: $0 queries VERSION WINDOW RUN_WINDOW}" window="${2:?}" run_window="${3:?}"
  printf '%s\t%s\n' compared "$(compared_query "$version")" agreement "$(agreement_query "$version")" \
    requests "$(requests_query "$window")" error_ratio "$(error_ratio_query "$window")" \
    candidate_p99 "$(p99_query "$CAND" "$window")" champion_p99 "$(p99_query "$CHAMP" "$run_window")" \
    divergence "$(divergence_query "$window" "$run_window")"
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  status) cmd_status ;;
  queries) shift; cmd_queries "$@" ;;
  *) echo "usage: $0 run [WAR] | status | queries VERSION WINDOW RUN_WINDOW" >&2; exit 2 ;;
esac
