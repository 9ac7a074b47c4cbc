# shellcheck shell=bash
# supervisord runs every process of the native stack and restarts one that dies: this file renders
# its configuration from supervisor/'s templates and drives it through supervisorctl. It is an instance of
# our own (configuration, socket and log in state/supervisor/), never the system's supervisor
# service. Program names are the component names: api-v1-1..N, api-v2, nginx, nginx-exporter,
# prometheus, alertmanager, log-rotator. Needs settings.sh, progress.sh, liberty.sh, nginx.sh,
# alerting.sh and logs.sh.

SUPERVISOR_TEMPLATE_DIR="$PROJECT_ROOT/supervisor"
SUPERVISOR_CONF="$SUPERVISOR_DIR/supervisord.conf"
SUPERVISOR_SOCKET="$SUPERVISOR_DIR/supervisor.sock"
# CPU priority (nice) of the API servers, the candidate's too: its latency gates compare it with
# the champions', which only means something at the same priority (docs/delivery.md#the-candidates-cpu-priority).
LIBERTY_NICE=5

supervisor_ctl() { supervisorctl -c "$SUPERVISOR_CONF" "$@"; }

supervisor_running() { [[ -S "$SUPERVISOR_SOCKET" && "$(supervisor_ctl pid 2>/dev/null)" =~ ^[0-9]+$ ]]; }
supervisor_gone() { ! supervisor_running; }

# The state of one program (RUNNING, STARTING, BACKOFF, FATAL, STOPPED, EXITED...), or NONE.
supervisor_state() {
  local state
  state="$(supervisor_ctl status "$1" 2>/dev/null | awk -v name="$1" '$1 == name { print $2 }')"
  echo "${state:-NONE}"
}

# Stops the script unless the stack runs: its supervisord up, nginx RUNNING under it.
supervisor_require_stack() {
  if ! supervisor_running || [[ "$(supervisor_state nginx)" != RUNNING ]]; then
    die "the stack is not running; start it first (make start-project)"
  fi
}

program_is_up() { [[ "$(supervisor_state "$1")" =~ ^(RUNNING|STARTING|BACKOFF)$ ]]; }

# Every program, in start order: name, then the ports it listens on.
supervisor_programs() {
  local name port
  while read -r name port _; do
    if [[ "$name" == "$LIBERTY_ADMIN_INSTANCE" ]]; then echo "$name $port $ADMIN_CONSOLE_PORT"; else echo "$name $port"; fi
  done < <(api_instances)
  echo "nginx $GATEWAY_HTTP_PORT $GATEWAY_HTTPS_PORT $STUB_STATUS_PORT"
  echo "nginx-exporter $EXPORTER_PORT"
  echo "prometheus $PROMETHEUS_PORT"
  echo "alertmanager $ALERTMANAGER_PORT"
  echo "log-rotator"
}

# Where supervisord keeps a program's output (stdout and stderr together).
program_log() {
  case "$1" in
    api-*) echo "$(liberty_log_dir "$1")/console.log" ;;
    nginx) echo "$NGINX_LOG_DIR/nginx.log" ;;
    *) echo "$LOG_DIR/$1.log" ;;
  esac
}

# supervisor_fill TEMPLATE NAME=VALUE...: the template of supervisor/ with these names, and no
# others, filled in.
supervisor_fill() {
  local template="$SUPERVISOR_TEMPLATE_DIR/$1"
  shift
  # shellcheck disable=SC2016 # envsubst's own ${NAME}, literally
  env "$@" envsubst "$(printf '${%s} ' "${@%%=*}")" <"$template"
}

# One API server's section (the template's comments once, in the main file).
supervisor_api_program() {
  supervisor_fill api-server.conf.template API_NAME="$1" API_PRIORITY="$2" API_AUTOSTART="$3" \
    LIBERTY_NICE="$LIBERTY_NICE" WLP_DIR="$WLP_DIR" WLP_USER_DIR="$WLP_USER_DIR" LOG_DIR="$LOG_DIR" \
    LOG_FILE_MAX_MB="$LOG_FILE_MAX_MB" LOG_FILES_KEPT="$LOG_FILES_KEPT" | sed '/^;/d'
}

supervisor_render() {
  local name api_programs=""
  # supervisord refuses a program whose log folder is missing, and the candidate's has no server yet.
  mkdir -p "$SUPERVISOR_DIR" "$LOG_DIR" "$(liberty_log_dir api-candidate)"
  while read -r name _; do
    api_programs+="$(supervisor_api_program "$name" 100 true)"$'\n\n'
  done < <(api_instances)
  api_programs+="$(supervisor_api_program api-candidate 150 false)"
  supervisor_fill supervisord.conf.template API_PROGRAMS="$api_programs" \
    SUPERVISOR_SOCKET="$SUPERVISOR_SOCKET" SUPERVISOR_DIR="$SUPERVISOR_DIR" STATE_DIR="$STATE_DIR" \
    PROJECT_ROOT="$PROJECT_ROOT" LOG_DIR="$LOG_DIR" LOG_FILE_MAX_MB="$LOG_FILE_MAX_MB" LOG_FILES_KEPT="$LOG_FILES_KEPT" \
    NGINX_STATE_DIR="$NGINX_STATE_DIR" NGINX_LOG_DIR="$NGINX_LOG_DIR" NGINX_COMMAND="$(nginx_command)" \
    NGINX_EXPORTER_BIN="$(command -v prometheus-nginx-exporter)" STUB_STATUS_PORT="$STUB_STATUS_PORT" EXPORTER_PORT="$EXPORTER_PORT" \
    PROMETHEUS_BIN="$(command -v prometheus)" PROMETHEUS_CONFIG_DIR="$PROMETHEUS_CONFIG_DIR" \
    PROMETHEUS_STATE_DIR="$PROMETHEUS_STATE_DIR" PROMETHEUS_PORT="$PROMETHEUS_PORT" \
    ALERTMANAGER_COMMAND="$(alerting_command)" LOG_ROTATOR_COMMAND="$(logs_rotator_command)" \
    | sed 's/%/%%/g' >"$SUPERVISOR_CONF.new" # supervisord reads % as the start of its own %(name)s

  mv -f "$SUPERVISOR_CONF.new" "$SUPERVISOR_CONF"
}

# Starts supervisord with the rendered configuration, or makes the running one apply it
# (reread/update restart only the programs whose section changed); then starts whatever is down.
supervisor_apply() {
  if supervisor_running; then
    step "Updating the running supervisord ($SUPERVISOR_CONF)"
    supervisor_ctl reread >/dev/null
    supervisor_ctl update
    local name
    while read -r name _; do
      program_is_up "$name" || supervisor_ctl start "$name" || warn "$name did not start; see $(program_log "$name")"
    done < <(supervisor_programs)
  else
    step "Starting supervisord ($SUPERVISOR_CONF), which starts every program"
    supervisord -c "$SUPERVISOR_CONF" || die "supervisord did not start; see $SUPERVISOR_DIR/supervisord.log"
    wait_until 30 "supervisord to answer on $SUPERVISOR_SOCKET" supervisor_running \
      || die "supervisord does not answer; see $SUPERVISOR_DIR/supervisord.log"
  fi
  ok "supervisord runs the stack; its log: $SUPERVISOR_DIR/supervisord.log"
}

# supervisor_wait_ready NAME WHAT PROBE...: waits until PROBE succeeds; gives up at once when
# supervisord has given up on the program (FATAL) and shows the end of its log.
program_ready_or_fatal() {
  local name="$1"
  shift
  "$@" && return 0
  [[ "$(supervisor_state "$name")" == FATAL ]] && return 0
  return 1
}

supervisor_wait_ready() {
  local name="$1" what="$2"
  shift 2
  wait_until "$READY_TIMEOUT" "$what" program_ready_or_fatal "$name" "$@" && "$@" >/dev/null 2>&1 && return 0
  tail -n 15 "$(program_log "$name")" 2>/dev/null | sed 's/^/    | /' >&2
  die "$name is not ready ($(supervisor_state "$name")); see $(program_log "$name")"
}

# Stops every program (each gets its stop signal, then SIGKILL after stopwaitsecs), then supervisord.
supervisor_shutdown() {
  if ! supervisor_running; then
    ok "supervisord is not running ($SUPERVISOR_SOCKET)"
    return
  fi
  step "Stopping every program, then supervisord"
  supervisor_ctl stop all || true
  supervisor_ctl shutdown >/dev/null || true
  wait_until 60 "supervisord to exit" supervisor_gone || die "supervisord still answers after shutdown"
  ok "supervisord and its programs stopped"
}
