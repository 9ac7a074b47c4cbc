#!/usr/bin/env bash
# The container deployment's entry point, with the same verbs as scripts/stack.sh:
#   scripts/compose.sh start|stop|status|logs [SERVICE]|images|compose COMPOSE-ARGS...
# start: installs what is missing (docker.io, docker-compose, mmdebstrap) as root, starts a Docker
# engine when none answers, builds the WARs and the images, starts the containers and waits until
# every one is healthy. stop: removes the project's containers and networks (the named volumes
# stay), then stops the engine if start started it. images: builds every image, the Kubernetes
# gateway's too (docs/compose.md, docs/kubernetes.md). compose: Compose itself, as this script calls
# it (the v2 plugin or docker-compose 1.29, project ml-gateway, stack.env): `compose ps`, `compose exec`...
# Compose reads the settings from stack.env (--env-file: an environment variable of the same name
# wins). Safe by default: the settings are checked first (nothing is written when one is wrong); the
# gateway's ports are published on 127.0.0.1 while GATEWAY_PASSWORD is the default (a public
# GATEWAY_PUBLISH_ADDRESS with it is refused); the gateway and Grafana passwords reach their
# containers as Compose secrets (files in $STATE_DIR/compose-secrets), never as environment
# variables; Grafana's is generated at first start and printed once, as is the gateway token that
# nginx adds to every request and the API servers check (X-Gateway-Token); Alertmanager's
# configuration is rendered from the settings as the native stack's (scripts/lib/alerting.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for lib in settings progress packages wars liberty engine images alerting; do
  # shellcheck source=/dev/null
  source "scripts/lib/$lib.sh"
done

COMPOSE_SECRETS_DIR="$STATE_DIR/compose-secrets"
# The gateway's certificate, copied out of its volume at start: what clients (and the tests) trust.
COMPOSE_CERT="$STATE_DIR/compose/gateway.crt"
export COMPOSE_SECRETS_DIR

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
# The containers read them as their own unprivileged users (nginx, grafana), so the files are
# readable; the folder (mode 700) keeps everyone else on the host out.
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
    [[ ",${COMPOSE_PROFILES:-}," != *,grafana,* ]] || {
      echo "==> Grafana's admin password was generated (shown this once; it stays in $grafana):"
      echo "    user ${GRAFANA_ADMIN_USER:-admin}, password $(cat "$grafana")"
    }
  fi
  # The gateway token: generated once, kept across starts like the native stack's state/secrets.
  [[ -s "$COMPOSE_SECRETS_DIR/gateway_token" ]] \
    || (umask 077 && openssl rand -hex 16 | tr -d '\n' >"$COMPOSE_SECRETS_DIR/gateway_token")
  # Alertmanager's receivers follow the settings at every start; it may hold the SMTP password.
  (umask 077 && alerting_config >"$COMPOSE_SECRETS_DIR/alertmanager.yml.new")
  mv -f "$COMPOSE_SECRETS_DIR/alertmanager.yml.new" "$COMPOSE_SECRETS_DIR/alertmanager.yml"
  chmod 444 "$COMPOSE_SECRETS_DIR/gateway_password" "$grafana" "$COMPOSE_SECRETS_DIR/gateway_token" \
    "$COMPOSE_SECRETS_DIR/alertmanager.yml"
}

# The services that run: every one with a healthcheck, Grafana only with its profile.
expected_containers() {
  echo $((3 + 5 + $([[ ",${COMPOSE_PROFILES:-}," == *,grafana,* ]] && echo 1 || echo 0)))
}

healthy_count() { compose_containers | awk '$3 == "healthy"' | wc -l; }
health_progress() { printf 'containers healthy: %s of %s' "$(healthy_count)" "$(expected_containers)"; }
all_healthy() { [[ "$(healthy_count)" == "$(expected_containers)" ]]; }

# Every image Compose builds, then (all) the Kubernetes gateway's, with a progress line every 10 s.
build_images() {
  local log="$LOG_DIR/images.log"
  step "Checking the API WARs"
  wars_build_if_stale
  images_liberty_runtime
  images_ensure_base
  step "Building the images Compose runs (log: $log)"
  run_logged 3600 "$log" - nice -n 10 "$0" compose build || die "an image did not build; see $log"
  if [[ "${1:-}" == all ]]; then
    log="$LOG_DIR/images-kubernetes.log"
    step "Building the Kubernetes gateway image (log: $log)"
    run_logged 600 "$log" - nice -n 10 docker build -f kubernetes/gateway/Dockerfile \
      --build-arg "BASE_IMAGE=ml-gateway/nginx:$IMAGES_TAG" -t "ml-gateway/gateway:$IMAGES_TAG" . \
      || die "the Kubernetes gateway image did not build; see $log"
  fi
  docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | awk '/^ml-gateway\// { printf "    %-34s %s\n", $1, $2 }' | sort
}

start() {
  check_settings
  mkdir -p "$LOG_DIR"
  step "Checking the Docker engine and Compose"
  engine_install
  engine_start
  ok "Compose $(compose_version)"
  write_secrets
  build_images
  local log="$LOG_DIR/compose-up.log"
  step "Starting the containers; Nginx waits until the API servers are healthy (log: $log)"
  run_logged 900 "$log" health_progress "$0" compose up --detach --remove-orphans \
    || {
      compose_containers | sed 's/^/    /' >&2
      die "compose up failed; see $log and scripts/compose.sh logs"
    }
  if ! wait_until "$((READY_TIMEOUT * 2))" "every container to be healthy" all_healthy; then
    compose_containers | sed 's/^/    /' >&2
    die "not every container is healthy (above); see scripts/compose.sh logs"
  fi
  ok "$(health_progress)"
  mkdir -p "$(dirname "$COMPOSE_CERT")"
  docker cp "$(compose ps -q nginx):/etc/nginx/secrets/gateway.crt" "$COMPOSE_CERT" >/dev/null
  [[ "$GATEWAY_PASSWORD" != "$CHECKS_DEFAULT_PASSWORD" ]] \
    || warn "the gateway uses the default password admin, so it is published on $GATEWAY_PUBLISH_ADDRESS only; set GATEWAY_PASSWORD"
  echo
  echo "The containers are up (${SECONDS}s; Docker $(docker info --format '{{.ServerVersion}}'), Compose $(compose_version)). URLs:"
  printf '  %-28s %s\n' "API (v1, basic auth)" "https://localhost:$GATEWAY_HTTPS_PORT/predict  (published on $GATEWAY_PUBLISH_ADDRESS)"
  printf '  %-28s %s\n' "API (v2)" "same, with header X-Experiment-Group: debug"
  printf '  %-28s %s\n' "HTTP (redirects to HTTPS)" "http://localhost:$GATEWAY_HTTP_PORT/"
  printf '  %-28s %s\n' "Gateway health" "https://localhost:$GATEWAY_HTTPS_PORT/gateway-health"
  printf '  %-28s %s\n' "Prometheus" "http://127.0.0.1:$PROMETHEUS_PORT/  (console: /consoles/ml-gateway.html)"
  printf '  %-28s %s\n' "Alertmanager" "http://127.0.0.1:$ALERTMANAGER_PORT/  (alerts go to $(alerting_receivers))"
  if [[ ",${COMPOSE_PROFILES:-}," == *,grafana,* ]]; then
    printf '  %-28s %s\n' "Grafana" "http://127.0.0.1:3000/  (user ${GRAFANA_ADMIN_USER:-admin}, password in $COMPOSE_SECRETS_DIR/grafana_admin_password)"
  fi
  printf '  %-28s %s\n' "CA certificate for clients" "$COMPOSE_CERT"
  printf '  %-28s %s\n' "Containers" "make status RUNTIME=docker, make logs RUNTIME=docker [NAME=nginx]"
  echo
  echo "  curl --cacert '$COMPOSE_CERT' -u $GATEWAY_USER:*** https://localhost:$GATEWAY_HTTPS_PORT/predict \\"
  echo "       -H 'Content-Type: application/json' -d '{\"sentence\": \"I love this!\"}'"
}

stop() {
  if ! command -v docker >/dev/null || ! engine_answers; then
    rm -f "$ENGINE_PID_FILE"
    ok "no Docker engine answers: no container of this project runs"
    return
  fi
  mkdir -p "$LOG_DIR"
  # Every profile, so Grafana goes too when it ran; the secrets only have to exist for Compose to read the file.
  write_secrets_if_missing
  step "Removing the project's containers and networks (the named volumes stay)"
  COMPOSE_PROFILES=grafana compose down --remove-orphans >"$LOG_DIR/compose-down.log" 2>&1 \
    || die "compose down failed; see $LOG_DIR/compose-down.log"
  local left
  left="$(compose_leftovers)"
  [[ -z "$left" ]] || die "still there after compose down: $(tr '\n' ' ' <<<"$left")"
  ok "no container or network of the project is left"
  engine_stop
}

write_secrets_if_missing() {
  [[ -s "$COMPOSE_SECRETS_DIR/gateway_password" && -s "$COMPOSE_SECRETS_DIR/grafana_admin_password" &&
    -s "$COMPOSE_SECRETS_DIR/gateway_token" && -s "$COMPOSE_SECRETS_DIR/alertmanager.yml" ]] || write_secrets
}

# One line per container: state and health. Exits 3 unless every expected container is healthy.
status() {
  engine_answers || {
    echo "No Docker engine answers: the containers are not running."
    exit 3
  }
  local containers
  containers="$(compose_containers)"
  [[ -n "$containers" ]] || {
    echo "No container of the project $COMPOSE_PROJECT exists (make start-project RUNTIME=docker)."
    exit 3
  }
  printf '  %-32s %-10s %s\n' CONTAINER STATE HEALTH
  awk '{ printf "  %-32s %-10s %s\n", $1, $2, $3 }' <<<"$containers"
  all_healthy || exit 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  logs)
    shift
    engine_answers || die "no Docker engine answers"
    compose logs --follow --tail=200 "$@"
    ;;
  images)
    check_settings
    mkdir -p "$LOG_DIR"
    engine_install
    engine_start
    build_images all
    ;;
  compose)
    shift
    compose "$@"
    ;;
  *)
    echo "usage: scripts/compose.sh start|stop|status|logs [SERVICE]|images|compose COMPOSE-ARGS" >&2
    exit 2
    ;;
esac
