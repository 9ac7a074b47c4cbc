# shellcheck shell=bash
# The Docker engine and Compose of the container deployment: installed when missing (Debian's
# docker.io, docker-compose and mmdebstrap), an engine started when none answers, and Compose
# called the same way whether it is the v2 plugin (`docker compose`) or Debian's docker-compose 1.29.
# Needs settings.sh, progress.sh and packages.sh.

ENGINE_DIR="$STATE_DIR/docker"
# The pid of the engine this project started (and so may stop); absent when the engine was there.
ENGINE_PID_FILE="$ENGINE_DIR/dockerd.pid"
ENGINE_LOG="$LOG_DIR/dockerd.log"
COMPOSE_PROJECT="ml-gateway"

engine_answers() { docker info >/dev/null 2>&1; }

# Installs what is missing: the engine (dockerd; a docker client alone is not enough), a Compose,
# mmdebstrap, which makes the base image where no registry answers, and jq (Alertmanager's configuration).
engine_install() {
  local missing=(dockerd:docker.io mmdebstrap:mmdebstrap jq:jq)
  command -v docker >/dev/null || missing+=(docker:docker.io)
  if ! docker compose version >/dev/null 2>&1; then
    missing+=(docker-compose:docker-compose)
  fi
  packages_require "${missing[@]}"
}

# An engine that answers: the one running, else the system's service (systemd), else a dockerd of
# this project's own in the background (its pid in ENGINE_PID_FILE, its log in ENGINE_LOG), which
# `stop` ends again.
engine_start() {
  if engine_answers; then
    ok "Docker engine answers ($(docker info --format '{{.ServerVersion}}' 2>/dev/null))"
    return
  fi
  if [[ -d /run/systemd/system ]]; then
    step "Starting the Docker engine (systemctl start docker)"
    systemctl start docker || die "systemctl start docker failed"
  else
    ((EUID == 0)) || die "no Docker engine answers and there is no systemd to start one: run as root, or start dockerd"
    mkdir -p "$ENGINE_DIR" "$LOG_DIR"
    step "Starting a Docker engine in the background (no systemd here); log: $ENGINE_LOG"
    setsid dockerd >"$ENGINE_LOG" 2>&1 </dev/null &
    echo $! >"$ENGINE_PID_FILE"
  fi
  wait_until 60 "the Docker engine to answer" engine_answers || die "the Docker engine does not answer; see $ENGINE_LOG"
  ok "Docker engine answers ($(docker info --format '{{.ServerVersion}}' 2>/dev/null))"
}

# Stops the engine only when this project started it.
engine_stop() {
  [[ -s "$ENGINE_PID_FILE" ]] || return 0
  local pid
  pid="$(cat "$ENGINE_PID_FILE")"
  if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]]; then
    kill -TERM "$pid"
    wait_until 60 "the Docker engine this project started (pid $pid) to stop" sh -c "! kill -0 $pid" \
      || die "the Docker engine (pid $pid) did not stop; see $ENGINE_LOG"
    ok "Docker engine stopped (this project had started it)"
  fi
  rm -f "$ENGINE_PID_FILE"
}

# Compose v2 when the plugin is there, else Debian's docker-compose. The project name is given with
# -p (1.29 rejects a top-level `name:` in the file); the settings come from stack.env.
compose() {
  local cli=(docker compose)
  docker compose version >/dev/null 2>&1 || cli=(docker-compose)
  "${cli[@]}" -p "$COMPOSE_PROJECT" --project-directory "$PROJECT_ROOT" --env-file "$PROJECT_ROOT/stack.env" \
    -f "$PROJECT_ROOT/docker-compose.yml" "$@"
}

compose_version() {
  docker compose version --short 2>/dev/null || docker-compose version --short 2>/dev/null
}

# One line per container of the project: name, state and health (or "-" without a healthcheck).
compose_containers() {
  local ids
  mapfile -t ids < <(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT")
  ((${#ids[@]})) || return 0
  docker inspect --format '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}}' "${ids[@]}" \
    | sed 's#^/##' | sort
}

# What is left of the project: its containers and networks (named volumes are kept on purpose).
compose_leftovers() {
  docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT"
  docker network ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT"
}
