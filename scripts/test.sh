#!/usr/bin/env bash
# `make test`: every level of test in order. The native stack is started for the end-to-end
# tests and stopped afterwards, even when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# The browser tests drive Debian's Chromium through its chromedriver; the stack installs the rest.
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
if ((${#need[@]})); then
  if ((EUID != 0)); then
    echo "missing test tools; run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  step "Installing test tools: ${need[*]}"
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi

step "Unit tests, Arquillian integration tests on a managed Liberty, static checks of the deployment files"
mvn -B verify
mvn -B -q -pl ml-api-war -Pv2 package -DskipTests

step "Start the native stack (installs what is missing)"
trap 'step "Stop the native stack"; scripts/stack.sh stop || true' EXIT
scripts/stack.sh start

step "Prometheus configuration, rules and alert unit tests (promtool)"
scripts/promtool-tests.sh

step "End-to-end tests through Nginx"
mvn -B -pl e2e-tests verify -Pe2e
