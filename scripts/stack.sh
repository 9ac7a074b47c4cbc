#!/usr/bin/env bash
# The native stack: four Open Liberty servers behind one nginx gateway, plus Prometheus and its
# nginx exporter, Alertmanager and the log rotator, all run and restarted by a supervisord of the
# stack's own.
#   scripts/stack.sh start | stop | status | logs [PROGRAM] | ctl SUPERVISORCTL-ARGS...
# Settings: stack.env, where an environment variable of the same name wins. RUNTIME=docker uses
# Docker Compose instead (scripts/compose.sh).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ "${RUNTIME:-native}" == docker ]]; then
  exec "$SCRIPT_DIR/compose.sh" "$@"
fi
for lib in settings progress packages wars certs liberty nginx analysis canary monitoring alerting logs supervisor; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

# The Debian service that may hold each port after its package was installed.
declare -A PORT_SERVICES=(
  [nginx]=nginx ["nginx-exporter"]=prometheus-nginx-exporter [prometheus]=prometheus [alertmanager]=prometheus-alertmanager
)

print_urls() {
  local name port variant
  echo
  echo "The stack is up (${SECONDS}s). URLs:"
  printf '  %-28s %s\n' "API (v1, basic auth)" "https://localhost:$GATEWAY_HTTPS_PORT/predict"
  printf '  %-28s %s\n' "Gateway listens on" "$GATEWAY_BIND (ports $GATEWAY_HTTP_PORT, $GATEWAY_HTTPS_PORT)$(
    [[ "$GATEWAY_BIND" == 127.* ]] && echo '; this machine only: set GATEWAY_PASSWORD to open it to the network'
  )"
  printf '  %-28s %s\n' "API (v2)" "same, with header X-Experiment-Group: debug"
  printf '  %-28s %s\n' "HTTP (redirects to HTTPS)" "http://localhost:$GATEWAY_HTTP_PORT/"
  printf '  %-28s %s\n' "Gateway health" "https://localhost:$GATEWAY_HTTPS_PORT/gateway-health"
  printf '  %-28s %s\n' "nginx stub_status" "http://127.0.0.1:$STUB_STATUS_PORT/nginx_status"
  while read -r name port variant; do
    printf '  %-28s %s\n' "$name ($variant)" "http://127.0.0.1:$port  (/health, /metrics, /openapi/ui)"
  done < <(api_instances)
  printf '  %-28s %s\n' "Liberty admin console" "https://localhost:$ADMIN_CONSOLE_PORT/adminCenter/ ($ADMIN_USER$(
    [[ -z "$ADMIN_PASSWORD" ]] && echo ", password in $LIBERTY_ADMIN_PASSWORD_FILE"
  ))"
  printf '  %-28s %s\n' "Prometheus" "$PROMETHEUS_URL/"
  printf '  %-28s %s\n' "Alertmanager" "$ALERTMANAGER_URL/ (alerts go to $(alerting_receivers))"
  printf '  %-28s %s\n' "nginx exporter" "http://127.0.0.1:$EXPORTER_PORT/metrics"
  printf '  %-28s %s\n' "CA certificate for clients" "$CERT_DIR/gateway.crt"
  printf '  %-28s %s\n' "Processes (supervisorctl)" "scripts/stack.sh ctl status   (make status, make logs NAME)"
  echo
  echo "  curl --cacert '$CERT_DIR/gateway.crt' -u $GATEWAY_USER:*** https://localhost:$GATEWAY_HTTPS_PORT/predict \\"
  echo "       -H 'Content-Type: application/json' -d '{\"sentence\": \"I love this!\"}'"
}

# Lays out the servers that are down (a running one keeps its files) and makes sure the ports of
# every program that is down are free.
prepare_programs() {
  local name port variant ports
  while read -r name port variant; do
    if program_is_up "$name"; then
      cmp -s "$WAR_DIR/ml-api-$variant.war" "$LIBERTY_SERVERS_DIR/$name/apps/ml-api-$variant.war" \
        || warn "$name runs an older build of ml-api-$variant.war; make rollout (v1) or make stop-project && make start-project"
    else
      liberty_prepare_server "$name" "$port" "$variant"
    fi
  done < <(api_instances)
  while read -r name ports; do
    program_is_up "$name" && continue
    for port in $ports; do
      if [[ -n "${PORT_SERVICES[$name]:-}" ]]; then
        packages_stop_service "${PORT_SERVICES[$name]}" "$port"
      elif port_in_use "$port"; then
        die "port $port for $name is in use by another program: $(port_owner "$port")"
      fi
    done
  done < <(supervisor_programs)
}

wait_ready() {
  local name port
  while read -r name port _; do
    supervisor_wait_ready "$name" "$name to be ready (http://127.0.0.1:$port/health/ready)" liberty_server_ready "$port"
    ok "$name ready on 127.0.0.1:$port"
  done < <(api_instances)
  supervisor_wait_ready "$LIBERTY_ADMIN_INSTANCE" "the admin console (https://localhost:$ADMIN_CONSOLE_PORT/adminCenter/)" \
    liberty_admin_console_up
  ok "admin console ready on https://localhost:$ADMIN_CONSOLE_PORT/adminCenter/"
  supervisor_wait_ready nginx "nginx (https://localhost:$GATEWAY_HTTPS_PORT/gateway-health)" nginx_ready
  ok "nginx ready: https://localhost:$GATEWAY_HTTPS_PORT"
  supervisor_wait_ready alertmanager "Alertmanager ($ALERTMANAGER_URL/-/ready)" alerting_ready
  ok "Alertmanager ready: $ALERTMANAGER_URL"
  monitoring_wait_ready
}

cmd_start() {
  # Before anything is written: a bad setting stops here with nothing changed.
  settings_validate
  logs_make_dir
  step "Checking required programs"
  packages_require "${STACK_PACKAGES[@]}"
  ok "all present"
  step "Checking the API WARs"
  wars_build_if_stale
  liberty_ensure_runtime
  certs_ensure_gateway_certificate
  local previous_bind
  previous_bind="$(nginx_rendered_bind)"
  nginx_render
  canary_init
  certs_write_htpasswd
  nginx_check
  monitoring_render
  alerting_render
  logs_render
  if [[ "$ADMIN_PASSWORD" == "$CHECKS_DEFAULT_PASSWORD" ]]; then
    warn "ADMIN_PASSWORD is the default '$CHECKS_DEFAULT_PASSWORD': set ADMIN_USER/ADMIN_PASSWORD for the admin console (it listens on 127.0.0.1 only)"
  fi
  prepare_programs
  # A configuration rendered anew reaches an nginx or Prometheus that was running without a restart.
  # A new listen address does not: nginx cannot bind 0.0.0.0:443 beside its own 127.0.0.1:443 on reload.
  local reload=() name
  for name in nginx prometheus alertmanager; do
    program_is_up "$name" || continue
    if [[ "$name" == nginx && -n "$previous_bind" && "$previous_bind" != "$GATEWAY_BIND" ]]; then
      step "The gateway moves from $previous_bind to $GATEWAY_BIND: restarting nginx"
      supervisor_ctl restart nginx >/dev/null || warn "nginx did not restart; see $(program_log nginx)"
    else
      reload+=("$name")
    fi
  done
  supervisor_render
  supervisor_apply
  # A candidate that runs (scripts/delivery.sh) stays a Prometheus target; its traffic shares are
  # back to the settings' (SHADOW_PERCENT, CANARY_PERCENT) with the configuration rendered above.
  [[ "$(supervisor_state api-candidate)" == RUNNING ]] && monitoring_write_candidate_target "$PROMETHEUS_CONFIG_DIR" on
  if ((${#reload[@]})); then
    supervisor_ctl signal HUP "${reload[@]}" >/dev/null && ok "configuration reloaded: ${reload[*]}"
  fi
  wait_ready
  print_urls
}

cmd_stop() {
  supervisor_shutdown
  local port busy=()
  for port in $(stack_ports); do
    if port_in_use "$port"; then busy+=("$port $(port_owner "$port")"); fi
  done
  ((${#busy[@]} == 0)) || die "still listening after stop: ${busy[*]}"
  ok "stack stopped; none of its ports is listening"
}

# One line per program: supervisord's state, pid and uptime, its ports and whether it answers.
# Exits 3 when a program is not RUNNING or not ready.
cmd_status() {
  supervisor_running || {
    echo "The stack is not running (no supervisord answers on $SUPERVISOR_SOCKET)."
    exit 3
  }
  local name ports state pid uptime ready ready_probe rc=0
  printf '  %-15s %-9s %-8s %-9s %-18s %s\n' PROGRAM STATE PID UPTIME PORTS READY
  while read -r name ports; do
    read -r state pid uptime < <(supervisor_ctl status "$name" 2>/dev/null \
      | awk '{ pid = "-"; up = "-"; if ($3 == "pid") { pid = $4; sub(",", "", pid); up = $6 } print $2, pid, up }')
    case "$name" in
      api-*) ready_probe=(liberty_server_ready "${ports%% *}") ;;
      nginx) ready_probe=(nginx_ready) ;;
      nginx-exporter) ready_probe=(curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$EXPORTER_PORT/metrics") ;;
      prometheus) ready_probe=(curl -fsS -o /dev/null --max-time 2 "$PROMETHEUS_URL/-/ready") ;;
      alertmanager) ready_probe=(alerting_ready) ;;
      log-rotator) ready_probe=(true) ;; # no port: running is all it has to be
    esac
    if "${ready_probe[@]}" >/dev/null 2>&1; then ready=ready; else
      ready=no
      rc=3
    fi
    [[ "$state" == RUNNING ]] || rc=3
    printf '  %-15s %-9s %-8s %-9s %-18s %s\n' "$name" "${state:-NONE}" "${pid:--}" "${uptime:--}" "${ports// /,}" "$ready"
  done < <(supervisor_programs)
  if liberty_admin_console_up; then ready=ready; else ready=no; fi
  printf '  %-15s %-9s %-8s %-9s %-18s %s\n' admin-console - - - "$ADMIN_CONSOLE_PORT" "$ready (in $LIBERTY_ADMIN_INSTANCE)"
  return "$rc"
}

# logs [PROGRAM]: follows what supervisord captured from one program (stdout and stderr), or
# from all of them.
cmd_logs() {
  if (($#)); then
    exec supervisorctl -c "$SUPERVISOR_CONF" tail -f "$1"
  fi
  local name ports files=()
  while read -r name ports; do files+=("$(program_log "$name")"); done < <(supervisor_programs)
  exec tail -n 20 -F "${files[@]}"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs)
    shift
    cmd_logs "$@"
    ;;
  ctl)
    shift
    [[ -f "$SUPERVISOR_CONF" ]] || die "no $SUPERVISOR_CONF: start the stack first"
    exec supervisorctl -c "$SUPERVISOR_CONF" "$@"
    ;;
  *)
    echo "usage: $0 start|stop|status|logs [PROGRAM]|ctl SUPERVISORCTL-ARGS (programs: $(api_instances | cut -d' ' -f1 | tr '\n' ' ')nginx nginx-exporter prometheus)" >&2
    exit 2
    ;;
esac
