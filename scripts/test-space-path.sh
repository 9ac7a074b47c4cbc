#!/usr/bin/env bash
# A checkout in a folder whose name has a space starts, answers and stops: the committed tree is
# cloned into /tmp/…/with space/p and started there as a second, small stack (one v1 server) on
# ports of its own (SPACE_PORT_BASE, default 37000: 37080, 37443, ...), with its state in that
# folder; POST /predict through its gateway must answer 200; then it is stopped and removed.
# The WARs and the Liberty runtime of this checkout are copied in, so nothing is built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for lib in settings progress wars gateway; do
  # shellcheck source=/dev/null
  source "scripts/lib/$lib.sh"
done

base="${SPACE_PORT_BASE:-37000}"
root="$(mktemp -d /tmp/space-path.XXXXXX)"
clone="$root/with space/p"
log="$LOG_DIR/space-path.log"
settings=(STATE_DIR="$clone/state" V1_REPLICAS=1 GATEWAY_BIND= READY_TIMEOUT="${SPACE_READY_TIMEOUT:-420}"
  GATEWAY_HTTP_PORT=$((base + 80)) GATEWAY_HTTPS_PORT=$((base + 443)) STUB_STATUS_PORT=$((base + 81))
  V1_BASE_PORT=$((base + 91)) V2_PORT=$((base + 94)) CANDIDATE_PORT=$((base + 95)) ADMIN_CONSOLE_PORT=$((base + 444))
  EXPORTER_PORT=$((base + 113)) PROMETHEUS_PORT=$((base + 90)) ALERTMANAGER_PORT=$((base + 93)))
in_clone() { (cd "$clone" && env "${settings[@]}" "$@"); }

cleanup() {
  local dir
  if [[ -d "$clone" ]]; then
    in_clone timeout 180 scripts/stack.sh stop >>"$log" 2>&1 || warn "the stack in '$clone' did not stop cleanly; see $log"
    # The folders of its own under /run and /var/log that nginx's workers used (scripts/lib/nginx.sh).
    # shellcheck disable=SC2016 # expanded by the clone's bash
    for dir in $(in_clone bash -c 'source scripts/lib/settings.sh && source scripts/lib/progress.sh && source scripts/lib/nginx.sh \
        && echo "$NGINX_WORKER_DIR $NGINX_LOG_DIR"' 2>/dev/null); do
      if [[ "$dir" == /run/ml-gateway/* || "$dir" == /var/log/ml-gateway/* ]]; then rm -rf "$dir"; fi
    done
  fi
  rm -rf "$root"
}
trap cleanup EXIT

mkdir -p "$LOG_DIR"
: >"$log"
step "A checkout in '$clone' (a space in its path) starts and answers; log: $log"
git clone -q "$PROJECT_ROOT" "$clone"
mkdir -p "$clone/ml-api-war/target" "$clone/state/liberty"
cp "$WAR_DIR"/ml-api-v1.war "$WAR_DIR"/ml-api-v2.war "$clone/ml-api-war/target/" 2>/dev/null \
  || die "no WARs in $WAR_DIR: build first (make build)"
# Newer than every source file of the clone: no rebuild.
touch "$clone"/ml-api-war/target/*.war
if [[ -x "$WLP_DIR/bin/server" ]]; then cp -a "$WLP_DIR" "$clone/state/liberty/wlp"; fi

in_clone timeout 1200 scripts/stack.sh start >>"$log" 2>&1 || {
  tail -n 30 "$log" >&2
  die "the stack in '$clone' did not start; see $log"
}
answer="$(gateway_curl -sS --max-time 30 -w ' %{http_code}' --cacert "$clone/state/certs/gateway.crt" \
  -H 'Content-Type: application/json' -d '{"sentence": "I love folders with spaces"}' \
  "https://localhost:$((base + 443))/predict")" || die "the gateway in '$clone' does not answer: $answer"
[[ "$answer" == *' 200' && "$answer" == *'"prediction value"'* ]] || die "POST /predict in '$clone' answered: $answer"
ok "POST /predict through the gateway of '$clone': $answer"
in_clone timeout 180 scripts/stack.sh stop >>"$log" 2>&1 || die "the stack in '$clone' did not stop; see $log"
ok "stopped; nothing of it listens"
