#!/usr/bin/env bash
# `make test`: every level of test in order. The native stack is started for the end-to-end
# tests and stopped afterwards, even when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
for lib in settings progress packages; do
  # shellcheck source=/dev/null
  source "scripts/lib/$lib.sh"
done

# Before the first test: the static tests run the stack's own programs (a private nginx, promtool),
# and the browser tests drive Debian's Chromium through its chromedriver.
packages_require "${STACK_PACKAGES[@]}" chromium:chromium chromedriver:chromium-driver

step "Unit tests, Arquillian integration tests on a managed Liberty, static checks of the deployment files"
# The managed Liberty listens on 9080/9445: ARQUILLIAN_LOCK=FILE waits for other runs on this machine (flock).
${ARQUILLIAN_LOCK:+flock "$ARQUILLIAN_LOCK"} mvn -B -ntp verify
# -am: the model jar comes from this build, not from an earlier install.
mvn -B -q -pl ml-api-war -am -Pv2 package -DskipTests

# A second, small stack from a clone in a folder with a space in its name (other ports; a few minutes).
scripts/test-space-path.sh

step "Start the native stack (installs what is missing)"
trap 'step "Stop the native stack"; scripts/stack.sh stop || true' EXIT
scripts/stack.sh start

step "Prometheus configuration, rules and alert unit tests (promtool)"
scripts/promtool-tests.sh

step "End-to-end tests through Nginx"
# The load the failure tests send must not stall because the stack it measures takes both cores
# (a real client runs on another machine): as root, the tests run at a higher CPU priority.
priority=()
((EUID == 0)) && priority=(nice -n -10)
# e2e.stackStopsAfter: the stack stops right after (trap above), so no test need restore the model it deployed.
"${priority[@]}" mvn -B -ntp -pl e2e-tests verify -Pe2e -De2e.stackStopsAfter=true
