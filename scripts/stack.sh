#!/usr/bin/env bash
# Starts, stops and shows the native stack: four Open Liberty servers behind one nginx gateway,
# plus Prometheus and its nginx exporter. Usage: scripts/stack.sh start|stop|status|logs [NAME]
# Settings are environment variables (scripts/lib/config.sh); RUNTIME=docker uses Docker Compose.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ "${RUNTIME:-native}" == docker ]]; then
  [[ -x "$SCRIPT_DIR/compose.sh" ]] || { echo "ERROR: RUNTIME=docker needs scripts/compose.sh" >&2; exit 1; }
  exec "$SCRIPT_DIR/compose.sh" "$@"
fi

# shellcheck source=lib/config.sh
source "$SCRIPT_DIR/lib/config.sh"

source "$SCRIPT_DIR/lib/progress.sh"
source "$SCRIPT_DIR/lib/wars.sh"
source "$SCRIPT_DIR/lib/certs.sh"
source "$SCRIPT_DIR/lib/nginx.sh"
source "$SCRIPT_DIR/lib/liberty.sh"
if [[ -f "$SCRIPT_DIR/lib/monitoring.sh" ]]; then
  source "$SCRIPT_DIR/lib/monitoring.sh"
fi
has_monitoring() { declare -F monitoring_start >/dev/null; }

# --- start ---------------------------------------------------------------------------------------

# command -> Debian package that provides it
REQUIRED_PACKAGES=(
  nginx:nginx prometheus:prometheus prometheus-nginx-exporter:prometheus-nginx-exporter
  openssl:openssl htpasswd:apache2-utils envsubst:gettext-base curl:curl ss:iproute2
  javac:openjdk-17-jdk-headless mvn:maven unzip:unzip
)

require_packages() {
  step "Checking required programs"
  local entry missing=()
  for entry in "${REQUIRED_PACKAGES[@]}"; do
    command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}")
  done
  if ((${#missing[@]} == 0)); then
    ok "all present"
    return
  fi
  if ((EUID != 0)); then
    die "missing packages; run: sudo apt-get install -y ${missing[*]}"
  fi
  step "Installing ${missing[*]} (apt-get)"
  apt-get update -q >"$LOG_DIR/apt.log" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 \
    || die "apt-get install failed; see $LOG_DIR/apt.log"
  ok "installed ${missing[*]}"
}

print_urls() {
  local name port variant
  echo
  echo "The stack is up (${SECONDS}s). URLs:"
  printf '  %-28s %s\n' "API (v1, basic auth)" "https://localhost:$GATEWAY_HTTPS_PORT/predict"
  printf '  %-28s %s\n' "API (v2)" "same, with header X-Experiment-Group: debug"
  printf '  %-28s %s\n' "HTTP (redirects to HTTPS)" "http://localhost:$GATEWAY_HTTP_PORT/"
  printf '  %-28s %s\n' "Gateway health" "https://localhost:$GATEWAY_HTTPS_PORT/gateway-health"
  printf '  %-28s %s\n' "nginx stub_status" "http://127.0.0.1:$STUB_STATUS_PORT/nginx_status"
  while read -r name port variant; do
    printf '  %-28s %s\n' "$name ($variant)" "http://127.0.0.1:$port  (/health, /metrics, /openapi/ui)"
  done < <(api_instances)
  printf '  %-28s %s\n' "Liberty admin console" "https://localhost:$ADMIN_CONSOLE_PORT/adminCenter/ ($ADMIN_USER)"
  if has_monitoring; then
    printf '  %-28s %s\n' "Prometheus" "http://127.0.0.1:$PROMETHEUS_PORT/"
    printf '  %-28s %s\n' "nginx exporter" "http://127.0.0.1:$EXPORTER_PORT/metrics"
  fi
  printf '  %-28s %s\n' "CA certificate for clients" "$CERT_DIR/gateway.crt"
  echo
  echo "  curl --cacert $CERT_DIR/gateway.crt -u $GATEWAY_USER:*** https://localhost:$GATEWAY_HTTPS_PORT/predict \\"
  echo "       -H 'Content-Type: application/json' -d '{\"sentence\": \"I love this!\"}'"
}

cmd_start() {
  mkdir -p "$LOG_DIR" "$PID_DIR"
  require_packages
  wars_build_if_stale
  liberty_ensure_runtime
  certs_ensure_gateway_certificate
  certs_write_htpasswd
  nginx_render
  nginx_check
  nginx_start
  liberty_start_all
  liberty_wait_ready
  nginx_wait_ready
  if has_monitoring; then
    step "Starting monitoring (Prometheus, nginx exporter)"
    monitoring_start || die "monitoring did not start; see $LOG_DIR/prometheus.log and $LOG_DIR/nginx-exporter.log"
  else
    warn "scripts/lib/monitoring.sh not found: Prometheus and the exporter are not started"
  fi
  print_urls
}

# --- stop, status, logs --------------------------------------------------------------------------

cmd_stop() {
  if has_monitoring; then
    step "Stopping monitoring"
    monitoring_stop || warn "monitoring did not stop cleanly"
  fi
  nginx_stop
  liberty_stop_all
  local name port variant busy=()
  for port in "$GATEWAY_HTTP_PORT" "$GATEWAY_HTTPS_PORT" "$STUB_STATUS_PORT" "$ADMIN_CONSOLE_PORT" \
    "$EXPORTER_PORT" "$PROMETHEUS_PORT"; do
    if port_in_use "$port"; then busy+=("$port"); fi
  done
  while read -r name port variant; do
    if port_in_use "$port"; then busy+=("$port"); fi
  done < <(api_instances)
  if ((${#busy[@]} > 0)); then
    die "still listening after stop: ${busy[*]} ($(for p in "${busy[@]}"; do port_owner "$p"; done | tr '\n' ' '))"
  fi
  ok "stack stopped; none of its ports is listening"
}

cmd_status() {
  printf '  %-18s %-8s %-12s %s\n' COMPONENT PID PORTS STATE
  liberty_status_rows
  nginx_status_rows
  if has_monitoring; then
    local pid
    pid="$( [[ -s "$PID_DIR/prometheus.pid" ]] && cat "$PID_DIR/prometheus.pid" || echo -)"
    status_row prometheus "$pid" "$PROMETHEUS_PORT" curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
    pid="$( [[ -s "$PID_DIR/nginx-exporter.pid" ]] && cat "$PID_DIR/nginx-exporter.pid" || echo -)"
    status_row nginx-exporter "$pid" "$EXPORTER_PORT" curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$EXPORTER_PORT/metrics"
  fi
}

# logs [NAME]: follow every log, or one component's (nginx, api-v1-1, ..., prometheus, nginx-exporter).
cmd_logs() {
  local name="${1:-all}" files=()
  case "$name" in
    all)
      files=("$LOG_DIR"/nginx/*.log "$LOG_DIR"/liberty/*/messages.log "$LOG_DIR"/prometheus.log "$LOG_DIR"/nginx-exporter.log) ;;
    nginx) files=("$LOG_DIR"/nginx/access.log "$LOG_DIR"/nginx/error.log) ;;
    api-*) files=("$LOG_DIR/liberty/$name/messages.log" "$LOG_DIR/liberty/$name/console.log") ;;
    prometheus | nginx-exporter) files=("$LOG_DIR/$name.log") ;;
    *) die "unknown log '$name'; use nginx, api-v1-1..api-v1-$V1_REPLICAS, api-v2, prometheus or nginx-exporter" ;;
  esac
  exec tail -n 20 -F "${files[@]}"
}

usage() {
  echo "usage: $0 start|stop|status|logs [nginx|api-v1-1|...|api-v2|prometheus|nginx-exporter]" >&2
  exit 2
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  *) usage ;;
esac
