#!/usr/bin/env bash
# Progressive delivery of a candidate WAR, judged by Prometheus (docs/delivery.md#make-canary). The
# phases, weights and gates are data: CANARY_ANALYSIS (delivery/canary.yaml); this script sequences.
#   scripts/canary.sh run [WAR]  starts the candidate (api-candidate), mirrors shadow.mirrorPercent of
#                                v1 traffic to it until every shadow gate had its requests and passed
#                                (at most shadow.seconds); then
#                                answers each of canary.weights % of v1 clients in turn, each step held
#                                canary.stepSeconds and checked by the canary gates; then rolls the v1
#                                servers to WAR (scripts/rollout.sh) and retires the candidate. A failed
#                                gate, or a phase that ends without the requests a gate needs, sets the
#                                shares to 0 and stops the candidate at once.
#                                Exit 0 promoted, 3 rolled back, 1 on an error, 130 or 143 when
#                                interrupted; the shares end at 0 whatever the outcome.
#   scripts/canary.sh status     where the last run stands
#   scripts/canary.sh check      the analysis file checked, and what a run would do
#   scripts/canary.sh queries PHASE WINDOW CHAMPION_WINDOW [VERSION]  the PromQL a check sends
# WAR defaults to ml-api-v1.war (rebuilt if stale: the model of the last `make train`). Every
# decision goes to stdout, state/logs/canary.log and the canary_* metrics (scripts/lib/canary.sh).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress packages wars liberty nginx canary monitoring supervisor analysis; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

DELIVERY="$SCRIPT_DIR/delivery.sh"
CANDIDATE=api-candidate
RUN_OVER=false
# The analysis file (CANARY_ANALYSIS, relative to the repository).
ANALYSIS_FILE="$CANARY_ANALYSIS"
[[ "$ANALYSIS_FILE" == /* ]] || ANALYSIS_FILE="$PROJECT_ROOT/$ANALYSIS_FILE"

# ---- Prometheus --------------------------------------------------------------------------------------
# The value of an instant query, NaN when it has none (no data yet, or Prometheus not answering).
prom() {
  local value
  value="$(curl -fsS --max-time 10 --data-urlencode "query=$1" "$PROMETHEUS_URL/api/v1/query" 2>/dev/null \
    | jq -r '.data.result[0].value[1] // "NaN"' 2>/dev/null)" || value=NaN
  echo "${value:-NaN}"
}

# for_window QUERY WINDOW CHAMPION_WINDOW: a gate's query with the run's two parameters filled in,
# the phase's window so far and the champion's, in seconds (the tool left them as Argo writes them).
for_window() {
  local query="${1//'{{args.window}}'/${2}s}"
  printf '%s' "${query//'{{args.champion-window}}'/${3}s}"
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

decide() { # decide DECISION GATE VALUE THRESHOLD STEP
  canary_decision="$1" canary_gate="$2" canary_value="$3" canary_threshold="$4" canary_step="$5"
  canary_decided_at="$(date +%s)"
  canary_save_state
}

# gate NAME VALUE OP THRESHOLD: true when VALUE passes (e.g. gate error_ratio 0.002 '<=' 0.01) or is
# NaN (no value: the gate does not have its requests yet); else records the failure in FAILED_GATE.
# Appends to GATES for the log.
gate() {
  local name="$1" value="$2" op="$3" limit="$4" shown
  if [[ "$value" == NaN ]]; then
    GATES+="$name n/a; "
    [[ "$ALL_JUDGED" == true ]] && NOT_JUDGED="$name"
    ALL_JUDGED=false
    return 0
  fi
  shown="$(LC_ALL=C printf '%.4g' "$value" 2>/dev/null || echo "$value")"
  if jq -en --arg v "$value" --argjson t "$limit" "(\$v | tonumber) $op \$t" >/dev/null; then
    GATES+="$name $shown $op $limit; "
    return 0
  fi
  FAILED_GATE="$name" FAILED_VALUE="$shown" FAILED_LIMIT="$op $limit"
  return 1
}

# A count as a whole number for the log (Prometheus may answer 239.99 or 1.2e+03), NaN as it is.
whole() { if [[ "$1" == NaN ]]; then echo NaN; else LC_ALL=C printf '%.0f' "$1" 2>/dev/null || echo "$1"; fi; }

# at_least COUNT MIN: a count that is a number and at least MIN.
at_least() { [[ "$1" != NaN ]] && jq -en --arg c "$1" --argjson n "$2" '($c | tonumber) >= $n' >/dev/null; }

# The gates of each phase for this candidate, one line each: name, op, threshold, minRequests, the
# PromQL judged and the requests it counts (tab-separated).
load_gates() {
  local phase
  for phase in shadow canary; do
    delivery_analysis gates "$ANALYSIS_FILE" "$phase" "$VERSION" >"$CANARY_STATE_DIR/gates-$phase.tsv" || exit 1
  done
}

# check_gates PHASE WHERE WINDOW CHAMPION_WINDOW: every gate of PHASE that has its requests, on the
# phase so far; the first that fails rolls the candidate back. ALL_JUDGED: every gate had a value
# (else NOT_JUDGED names the first without).
check_gates() {
  local phase="$1" where="$2" window="$3" champion="$4" name op threshold min judged requests
  GATES="" ALL_JUDGED=true NOT_JUDGED=""
  while IFS=$'\t' read -r name op threshold min judged requests; do
    gate "$name" "$(prom "$(for_window "$judged" "$window" "$champion")")" "$op" "$threshold" || rollback "$where"
  done <"$CANARY_STATE_DIR/gates-$phase.tsv"
}

# check_requests PHASE WHERE WINDOW CHAMPION_WINDOW [early]: when a phase ends, every gate has had
# the requests it is judged on; otherwise the candidate is rolled back too (no traffic, no
# promotion). With early (the shadow phase ending before its time), too few is only "not yet":
# returns 1. REQUESTS: the counts.
check_requests() {
  local phase="$1" where="$2" window="$3" champion="$4" early="${5:-}" name op threshold min judged requests count counts=""
  while IFS=$'\t' read -r name op threshold min judged requests; do
    count="$(prom "$(for_window "$requests" "$window" "$champion")")"
    if ! at_least "$count" "$min"; then
      [[ -z "$early" ]] || return 1
      too_few "${name}_requests" "$count" "$min" "$where"
    fi
    counts+="${counts:+, }$name $(whole "$count")"
  done <"$CANARY_STATE_DIR/gates-$phase.tsv"
  REQUESTS="$counts"
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
  FAILED_GATE="$1" FAILED_VALUE="$(whole "$2")" FAILED_LIMIT=">= $3"
  rollback "$4"
}

# Ctrl-C, a kill or an error: no share stays on a candidate nobody watches. The signal may come while
# a function's output goes to a file (canary_save_state's metrics): the log goes back to the run's own.
on_exit() {
  local status=$?
  exec 1>&"$RUN_STDOUT" 2>&"$RUN_STDERR"
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
# run_phase PHASE WHERE SECONDS [CHAMPION_SINCE]: the phase, its gates checked every CHECK_SECONDS on
# the phase so far; the champion's window is the phase's too, or since CHAMPION_SINCE (a $SECONDS
# value). A canary step is held SECONDS; the shadow phase ends as soon as every gate had its
# requests and passed (clients see nothing of it), within SECONDS. Returns when the phase passed;
# any failure rolls back.
run_phase() {
  local phase="$1" where="$2" length="$3" started=$SECONDS elapsed windows
  local champion_since="${4:-$SECONDS}"
  while true; do
    sleep "$CHECK_SECONDS"
    elapsed=$((SECONDS - started))
    windows=("$elapsed" "$((SECONDS - champion_since))")
    check_gates "$phase" "$where" "${windows[@]}"
    if ((elapsed >= length)) || [[ "$phase" == shadow && "$ALL_JUDGED" == true ]]; then
      # Ending the shadow phase early needs every gate's requests as well. Its first windows are a
      # few seconds long, so a count read a moment after the gates may hold one scrape and have no
      # value yet (increase needs two): the phase then goes on to the next check.
      if ((elapsed < length)); then
        check_requests "$phase" "$where" "${windows[@]}" early || continue
      else
        check_requests "$phase" "$where" "${windows[@]}"
      fi
      # A gate whose requests arrived after this check's values is judged now: none passes unjudged.
      if [[ "$ALL_JUDGED" != true ]]; then
        check_gates "$phase" "$where" "${windows[@]}"
        if [[ "$ALL_JUDGED" != true ]]; then
          FAILED_GATE="$NOT_JUDGED" FAILED_VALUE=n/a FAILED_LIMIT="a value"
          rollback "$where"
        fi
      fi
      log "${where^} passed after ${elapsed}s: ${GATES}requests: $REQUESTS"
      decide advance "$where" "" "" "$where"
      return
    fi
  done
}

shadow_phase() {
  "$DELIVERY" traffic "$SHADOW_PERCENT_RUN" 0
  set_phase shadow 0 "$SHADOW_PERCENT_RUN"
  log "Shadow: $SHADOW_PERCENT_RUN % of v1 requests mirrored until every gate is judged (at most ${SHADOW_SECONDS}s), gates checked every ${CHECK_SECONDS}s"
  run_phase shadow shadow "$SHADOW_SECONDS"
}

canary_step() {
  local weight="$1"
  "$DELIVERY" traffic 0 "$weight"
  set_phase canary "$weight" 0
  log "Canary $weight %: held ${STEP_SECONDS}s, gates checked every ${CHECK_SECONDS}s"
  run_phase canary "canary $weight %" "$STEP_SECONDS" "$RUN_STARTED"
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

# The analysis file, checked; its settings.
load_analysis() {
  local settings
  settings="$(delivery_analysis settings "$ANALYSIS_FILE")" || exit 1
  read -r CHECK_SECONDS SHADOW_PERCENT_RUN SHADOW_SECONDS STEP_SECONDS WEIGHTS <<<"$settings"
}

cmd_run() {
  load_analysis
  WAR="${1:-${WAR:-}}"
  if [[ -z "$WAR" ]]; then
    wars_build_if_stale
    WAR="$WAR_DIR/ml-api-v1.war"
  fi
  [[ -f "$WAR" ]] || die "no WAR at $WAR"
  WAR="$(cd "$(dirname "$WAR")" && pwd)/$(basename "$WAR")"
  VERSION="$(wars_model_version "$WAR")" || die "$WAR is not a WAR of this API with a consistent model card"
  supervisor_require_stack
  CHAMPION_VERSION="$(wars_model_version "$LIBERTY_SERVERS_DIR/api-v1-1/apps/ml-api-v1.war")" || die "no champion WAR on api-v1-1"
  mkdir -p "$CANARY_STATE_DIR"
  exec 9>"$CANARY_STATE_DIR/lock"
  flock -n 9 || die "another make canary is running (make canary-status)"
  load_gates

  canary_load_state
  # shellcheck disable=SC2034 # canary_save_state reads them by name
  canary_candidate_version="$VERSION" canary_war="$WAR" canary_started_at="$(date +%s)"
  exec {RUN_STDOUT}>&1 {RUN_STDERR}>&2
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  RUN_STARTED=$SECONDS
  log "Canary run: candidate model $VERSION ($WAR), champion $CHAMPION_VERSION; steps $WEIGHTS %; analysis $ANALYSIS_FILE"
  decide start "" "" "" starting
  set_phase starting 0 0
  "$DELIVERY" candidate-start "$WAR"
  shadow_phase
  local weight
  for weight in $WEIGHTS; do
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

# The PromQL of each gate of PHASE as a run sends it, for a phase of WINDOW seconds so far, the
# champion's window of CHAMPION_WINDOW seconds and a candidate VERSION: one "name<TAB>kind<TAB>query"
# line per gate and kind (query: its value; requests: what its minimum counts; judged: what a check
# reads, no value while the requests are too few). For the tests (CanaryGateQueriesIT) and the curious.
cmd_queries() {
  local phase="${1:?usage: $0 queries shadow|canary WINDOW CHAMPION_WINDOW [VERSION]}" window="${2:?}" champion="${3:?}"
  delivery_analysis queries "$ANALYSIS_FILE" "$phase" "${window}s" "${champion}s" "${4:-.+}"
}

# The analysis file checked, and what a run would do with it.
cmd_check() {
  delivery_analysis check "$ANALYSIS_FILE"
}

case "${1:-}" in
  run)
    shift
    cmd_run "$@"
    ;;
  status) cmd_status ;;
  queries)
    shift
    cmd_queries "$@"
    ;;
  check) cmd_check ;;
  *)
    echo "usage: $0 run [WAR] | status | check | queries PHASE WINDOW CHAMPION_WINDOW [VERSION]" >&2
    exit 2
    ;;
esac
