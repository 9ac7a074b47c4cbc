#!/usr/bin/env bash
# Checks the Prometheus configuration (native and compose), the rules, and runs the rules' unit
# tests with promtool. Called by `make test`; exits non-zero when any check fails.
set -uo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress packages monitoring; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done
packages_require promtool:prometheus jq:jq

passed=0 failed=0
check() {
  local name="$1"
  shift
  local output
  if output="$("$@" 2>&1)"; then
    passed=$((passed + 1))
    echo "  ok    $name"
  else
    failed=$((failed + 1))
    echo "  FAIL  $name"
    # shellcheck disable=SC2001 # indents every line of it
    sed 's/^/        /' <<<"$output"
  fi
}

# The native configuration is checked as Prometheus runs it: staged with generated target lists.
staged="$(mktemp -d)"
trap 'rm -rf "$staged"' EXIT
monitoring_stage_config "$staged"

check "check config (native, ${V1_REPLICAS} v1 replicas)" promtool check config "$staged/prometheus.yml"
check "check config (compose)" promtool check config "$PROJECT_ROOT/prometheus/prometheus-compose.yml"
check "check rules" promtool check rules "$PROJECT_ROOT"/prometheus/rules/*.yml
for test_file in "$PROJECT_ROOT"/prometheus/tests/*.yml; do
  check "test rules $(basename "$test_file")" promtool test rules "$test_file"
done

echo "promtool: $passed passed, $failed failed"
((failed == 0))
