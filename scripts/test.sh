#!/usr/bin/env bash
# `make test`: every level of test in order, each stage timed. The native stack is started for the
# end-to-end tests and stopped afterwards, then the container deployment is built, started and
# tested the same way, and removed; each is stopped even when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
for lib in settings progress packages; do
  # shellcheck source=/dev/null
  source "scripts/lib/$lib.sh"
done

# "seconds name" per finished stage, printed at the end (also when a stage fails).
STAGES=()
stage_started=$SECONDS stage_name=""
stage() {
  [[ -z "$stage_name" ]] || STAGES+=("$((SECONDS - stage_started)) $stage_name")
  stage_started=$SECONDS stage_name="$1"
  step "$1"
}
stage_times() {
  stage ""
  local entry
  echo "Stage times:"
  for entry in "${STAGES[@]}"; do printf '  %5ss  %s\n' "${entry%% *}" "${entry#* }"; done
  echo "  total ${SECONDS}s"
}
stop_native() { scripts/stack.sh stop || true; }
stop_containers() { RUNTIME=docker scripts/stack.sh stop || true; }
on_exit() {
  local status=$?
  stop_native
  stop_containers
  stage_times
  exit "$status"
}
trap on_exit EXIT

# Before the first test: the static tests run the stack's own programs (a private nginx, promtool),
# and the browser tests drive Debian's Chromium through its chromedriver.
packages_require "${STACK_PACKAGES[@]}" chromium:chromium chromedriver:chromium-driver

stage "shellcheck and shfmt on the shell scripts, unit tests, Arquillian integration tests on a managed Liberty, static checks of the deployment files (make check)"
make --no-print-directory check
# -am: the model jar comes from this build, not from an earlier install.
mvn -B -q -pl ml-api-war -am -Pv2 package -DskipTests

stage "A second, small stack from a clone in a folder with a space in its name (other ports)"
scripts/test-space-path.sh

stage "Start the native stack (installs what is missing)"
scripts/stack.sh start

stage "Prometheus configuration, rules and alert unit tests (promtool)"
scripts/promtool-tests.sh

stage "End-to-end tests through Nginx"
# The load the failure tests send must not stall because the stack it measures takes both cores
# (a real client runs on another machine): as root, the tests run at a higher CPU priority.
priority=()
((EUID == 0)) && priority=(nice -n -10)
# e2e.stackStopsAfter: the stack stops right after, so no test need restore the model it deployed.
"${priority[@]}" mvn -B -ntp -pl e2e-tests verify -Pe2e -De2e.stackStopsAfter=true

stage "Stop the native stack"
scripts/stack.sh stop

# The container deployment as a user runs it (make start-project RUNTIME=docker), with a password
# of its own (published on loopback all the same) so that the tests can look for it in the
# containers. Docker's port publishing shows every client of this machine to nginx as one address,
# so the two load sources of the failover test (150 requests/s together) share one rate-limit key:
# the limit is raised to 200 r/s for this run (docs/compose.md).
export RUNTIME=docker GATEWAY_PUBLISH_ADDRESS=127.0.0.1 RATE_LIMIT=200 RATE_BURST=200
GATEWAY_PASSWORD="$(openssl rand -hex 12)"
export GATEWAY_PASSWORD

stage "Build the images: Compose's and the Kubernetes gateway's (installs Docker and Compose when missing)"
scripts/compose.sh images

stage "Start the container deployment"
scripts/compose.sh start

stage "Container tests through the published gateway and Prometheus"
"${priority[@]}" mvn -B -ntp -pl e2e-tests verify -Pcontainers

stage "Stop the container deployment: no container or network of it may be left"
scripts/compose.sh stop
