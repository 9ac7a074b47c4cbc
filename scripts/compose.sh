#!/usr/bin/env bash
# The container deployment's entry point, with the same verbs as scripts/stack.sh:
#   scripts/compose.sh start|stop|status|logs
# Compose reads the settings from stack.env (--env-file: an environment variable of the same name
# wins). It needs the Docker CLI with the Compose plugin and an engine that answers; without them
# it says so in one line and exits 3, leaving the native stack (`make start-project`) as the way to run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/settings.sh
source scripts/lib/settings.sh

compose() { docker compose --project-directory . --env-file stack.env -f docker-compose.yml "$@"; }

require_engine() {
  local problem=""
  if ! command -v docker >/dev/null 2>&1; then
    problem="no docker command on this host; install Docker"
  elif ! docker compose version >/dev/null 2>&1; then
    problem="the Docker Compose plugin is missing (docker compose version failed); install docker-compose-plugin"
  elif ! docker info >/dev/null 2>&1; then
    problem="no Docker engine answers (docker info failed); start it"
  fi
  [[ -z "$problem" ]] && return 0
  echo "compose.sh: $problem, or use the native stack (make start-project)" >&2
  exit 3
}

start() {
  require_engine
  echo "==> Building both WARs (make build)"
  make --no-print-directory build
  echo "==> Building the images and starting the containers (waits until every service is healthy)"
  compose up --detach --build --wait
  [[ "$GATEWAY_PASSWORD" != admin ]] || echo "WARNING: the gateway uses the default password admin; set GATEWAY_PASSWORD" >&2
  [[ "${GRAFANA_ADMIN_PASSWORD:-admin}" != admin ]] || echo "WARNING: Grafana uses the default password admin; set GRAFANA_ADMIN_PASSWORD" >&2
  cat <<TABLE

  Gateway (basic auth)   https://localhost:$GATEWAY_HTTPS_PORT/predict      (http://localhost:$GATEWAY_HTTP_PORT redirects)
  Prometheus             http://127.0.0.1:9090
  Grafana                http://localhost:3000          (user ${GRAFANA_ADMIN_USER:-admin})
TABLE
}

case "${1:-}" in
  start) start ;;
  stop) require_engine; compose down ;;
  status) require_engine; compose ps ;;
  logs) require_engine; compose logs --follow --tail=200 ;;
  *) echo "usage: scripts/compose.sh start|stop|status|logs" >&2; exit 2 ;;
esac
