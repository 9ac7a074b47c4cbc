#!/usr/bin/env bash
# The container deployment's entry point, with the same verbs as scripts/stack.sh:
#   scripts/compose.sh start|stop|status|logs
# Compose reads the settings from stack.env (--env-file: an environment variable of the same name
# wins). It needs the Docker CLI with the Compose plugin and an engine that answers; without them
# it says so in one line and exits 3, leaving the native stack (`make start-project`) as the way to run.
# Safe by default: the settings are checked first (nothing is written when one is wrong); the
# gateway's ports are published on 127.0.0.1 while GATEWAY_PASSWORD is the default (a public
# GATEWAY_PUBLISH_ADDRESS with it is refused); the gateway and Grafana passwords reach their
# containers as Compose secrets (files in $STATE_DIR/compose-secrets, mode 600), never as
# environment variables; Grafana's is generated at first start and printed once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=/dev/null
for lib in settings progress; do source "scripts/lib/$lib.sh"; done

COMPOSE_SECRETS_DIR="$STATE_DIR/compose-secrets"
export COMPOSE_SECRETS_DIR

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

# The host address the gateway's ports are published on: GATEWAY_PUBLISH_ADDRESS, else the same
# automatic rule as the native GATEWAY_BIND (127.0.0.1 with the default password, else 0.0.0.0).
# Exits before anything is written when a setting is wrong or the default password would be public.
check_settings() {
  settings_validate
  GATEWAY_PUBLISH_ADDRESS="${GATEWAY_PUBLISH_ADDRESS:-$GATEWAY_BIND}"
  if ! checks_is_ipv4 "$GATEWAY_PUBLISH_ADDRESS"; then
    die "GATEWAY_PUBLISH_ADDRESS=$(settings_show "$GATEWAY_PUBLISH_ADDRESS") is not an IPv4 address; nothing was written or started"
  fi
  local problem
  problem="$(settings_public_password_problem "$GATEWAY_PUBLISH_ADDRESS" "GATEWAY_PUBLISH_ADDRESS=$GATEWAY_PUBLISH_ADDRESS")"
  [[ -z "$problem" ]] || die "$problem; nothing was written or started"
  export GATEWAY_PUBLISH_ADDRESS
}

# The secret files Compose mounts at /run/secrets/NAME. The gateway's follows GATEWAY_PASSWORD at
# every start; Grafana's admin password is GRAFANA_ADMIN_PASSWORD when set, else generated once.
write_secrets() {
  local grafana="$COMPOSE_SECRETS_DIR/grafana_admin_password"
  mkdir -p "$COMPOSE_SECRETS_DIR"
  chmod 700 "$COMPOSE_SECRETS_DIR"
  (umask 077 && printf '%s' "$GATEWAY_PASSWORD" >"$COMPOSE_SECRETS_DIR/gateway_password.new")
  mv -f "$COMPOSE_SECRETS_DIR/gateway_password.new" "$COMPOSE_SECRETS_DIR/gateway_password"
  if [[ -n "${GRAFANA_ADMIN_PASSWORD:-}" ]]; then
    (umask 077 && printf '%s' "$GRAFANA_ADMIN_PASSWORD" >"$grafana")
  elif [[ ! -s "$grafana" ]]; then
    (umask 077 && openssl rand -base64 18 | tr -d '\n' >"$grafana")
    echo "==> Grafana's admin password was generated (shown this once; it stays in $grafana):"
    echo "    user ${GRAFANA_ADMIN_USER:-admin}, password $(cat "$grafana")"
  fi
  # Grafana runs as uid 472, group 0: the file is a bind mount, so its group may read it; the
  # folder (mode 700) keeps everyone else on the host out.
  chmod 640 "$grafana"
}

start() {
  check_settings
  require_engine
  write_secrets
  echo "==> Building both WARs (make build)"
  make --no-print-directory build
  echo "==> Building the images and starting the containers (waits until every service is healthy)"
  compose up --detach --build --wait
  [[ "$GATEWAY_PASSWORD" != "$SETTINGS_DEFAULT_PASSWORD" ]] \
    || echo "WARNING: the gateway uses the default password admin, so it is published on $GATEWAY_PUBLISH_ADDRESS only; set GATEWAY_PASSWORD" >&2
  cat <<TABLE

  Gateway (basic auth)   https://localhost:$GATEWAY_HTTPS_PORT/predict      (http://localhost:$GATEWAY_HTTP_PORT redirects; published on $GATEWAY_PUBLISH_ADDRESS)
  Prometheus             http://127.0.0.1:9090
  Grafana                http://127.0.0.1:3000          (user ${GRAFANA_ADMIN_USER:-admin}, password in $COMPOSE_SECRETS_DIR/grafana_admin_password)
TABLE
}

case "${1:-}" in
  start) start ;;
  stop) require_engine; compose down ;;
  status) require_engine; compose ps ;;
  logs) require_engine; compose logs --follow --tail=200 ;;
  *) echo "usage: scripts/compose.sh start|stop|status|logs" >&2; exit 2 ;;
esac
