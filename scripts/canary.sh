#!/usr/bin/env bash
# Progressive delivery of a candidate WAR, judged by Prometheus (docs/delivery.md#make-canary). The
# phases, weights and gates are data: CANARY_ANALYSIS (delivery/canary.yaml); the delivery tool's
# CanaryRun (delivery/src) runs them, this script checks the stack and hands the run over to it.
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
for lib in settings progress wars liberty nginx analysis canary monitoring supervisor; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

DELIVERY="$SCRIPT_DIR/delivery.sh"
# The analysis file (CANARY_ANALYSIS, relative to the repository).
ANALYSIS_FILE="$CANARY_ANALYSIS"
[[ "$ANALYSIS_FILE" == /* ]] || ANALYSIS_FILE="$PROJECT_ROOT/$ANALYSIS_FILE"

cmd_run() {
  # The analysis file first: a bad one stops the run before anything is built, started or written.
  delivery_analysis check "$ANALYSIS_FILE" >/dev/null
  WAR="${1:-${WAR:-}}"
  if [[ -z "$WAR" ]]; then
    wars_build_if_stale
    WAR="$WAR_DIR/ml-api-v1.war"
  fi
  [[ -f "$WAR" ]] || die "no WAR at $WAR"
  WAR="$(cd "$(dirname "$WAR")" && pwd)/$(basename "$WAR")"
  local version champion
  version="$(wars_model_version "$WAR")" || die "$WAR is not a WAR of this API with a consistent model card"
  supervisor_require_stack
  champion="$(wars_model_version "$LIBERTY_SERVERS_DIR/api-v1-1/apps/ml-api-v1.war")" || die "no champion WAR on api-v1-1"
  mkdir -p "$CANARY_STATE_DIR"
  exec 9>"$CANARY_STATE_DIR/lock"
  flock -n 9 || die "another make canary is running (make canary-status)"
  # The run is the delivery tool's (CanaryRun), in this process: Ctrl-C and kill reach it, the lock stays.
  analysis_jar
  export PROMETHEUS_URL
  exec java -jar "$ANALYSIS_JAR" canary-run "$ANALYSIS_FILE" "$WAR" "$version" "$champion"
}

cmd_status() {
  delivery_analysis canary-status
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
