#!/usr/bin/env bash
# Checks the Prometheus configuration (native and compose), the rules, and runs the rules' unit
# tests with promtool. Called by `make test`; exits non-zero when any check fails.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/monitoring.sh
source "$ROOT/scripts/lib/monitoring.sh"

command -v promtool >/dev/null || _mon_require_packages || exit 1

passed=0 failed=0
check() {
  local name="$1"; shift
  local output
  if output="$("$@" 2>&1)"; then
    passed=$((passed + 1)); echo "  ok    $name"
  else
    failed=$((failed + 1)); echo "  FAIL  $name"; sed 's/^/        /' <<<"$output"
  fi
}

# The native configuration is checked as Prometheus runs it: staged with generated target lists.
staged="$(mktemp -d)"
trap 'rm -rf "$staged"' EXIT
monitoring_stage_config "$staged"

check "check config (native, ${V1_REPLICAS} v1 replicas)" promtool check config "$staged/prometheus.yml"
check "check config (compose)" promtool check config "$ROOT/prometheus/prometheus-compose.yml"
check "check rules" promtool check rules "$ROOT"/prometheus/rules/*.yml
for test_file in "$ROOT"/prometheus/tests/*.yml; do
  check "test rules $(basename "$test_file")" promtool test rules "$test_file"
done

echo "promtool: $passed passed, $failed failed"
((failed == 0))
