#!/usr/bin/env bash
# The container deployment's entry point, with the same verbs as scripts/stack.sh:
#   scripts/compose.sh start|stop|status|logs
# It needs the Docker CLI with the Compose plugin and an engine that answers; without them it says
# so in one line and exits 3, leaving the native stack (`make start-project`) as the way to run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

compose() { docker compose --project-directory . -f docker-compose.yml "$@"; }

require_engine() {
  if ! command -v docker >/dev/null 2>&1; then
    echo "compose.sh: no docker command on this host; install Docker or use the native stack (make start-project)" >&2
    exit 3
  fi
  if ! docker compose version >/dev/null 2>&1; then
    echo "compose.sh: the Docker Compose plugin is missing (docker compose version failed); install docker-compose-plugin" >&2
    exit 3
  fi
  if ! docker info >/dev/null 2>&1; then
    echo "compose.sh: no Docker engine answers (docker info failed); start it or use the native stack (make start-project)" >&2
    exit 3
  fi
}

warn_default_passwords() {
  if [[ "${GATEWAY_PASSWORD:-admin}" == admin ]]; then
    echo "WARNING: the gateway uses the default password admin; set GATEWAY_PASSWORD" >&2
  fi
  if [[ "${GRAFANA_ADMIN_PASSWORD:-admin}" == admin ]]; then
    echo "WARNING: Grafana uses the default password admin; set GRAFANA_ADMIN_PASSWORD" >&2
  fi
}

start() {
  require_engine
  echo "==> Building both WARs (make build)"
  make --no-print-directory build
  echo "==> Building the images and starting the containers (waits until every service is healthy)"
  compose up --detach --build --wait
  warn_default_passwords
  cat <<TABLE

  Gateway (basic auth)   https://localhost/predict      (http://localhost redirects)
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
