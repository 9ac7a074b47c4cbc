#!/usr/bin/env bash
# Agreement, label confusion and latency of two models from their prediction logs, joined by
# request id (the delivery tool's ab-report: delivery/src/main/java/org/mlgateway/delivery/AbReport.java).
#   scripts/ab-report.sh [CHAMPION_DIR... -- CANDIDATE_DIR...]
# Each DIR holds predictions.N.jsonl files; without arguments the champion is every api-v1-N server's
# log folder and the candidate api-candidate's, under state/logs/liberty/.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress analysis; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

if (($# == 0)); then
  set -- "$LOG_DIR"/liberty/api-v1-* -- "$LOG_DIR/liberty/api-candidate"
fi
delivery_analysis ab-report "$@"
