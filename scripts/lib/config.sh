# Settings of the native stack: every knob is an environment variable with a default, so
# `make start-project`, the end-to-end tests and the README agree on one list.
# Sourced by scripts/stack.sh; defines variables and the list of API servers, starts nothing.

: "${PROJECT_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

# Gateway (nginx)
: "${GATEWAY_HTTP_PORT:=80}"
: "${GATEWAY_HTTPS_PORT:=443}"
: "${GATEWAY_USER:=admin}"
: "${GATEWAY_PASSWORD:=admin}"
: "${HTPASSWD_SCHEME:=ssha}"    # hash of the basic-auth file: ssha (fast, salted) or bcrypt (slow)
: "${RATE_LIMIT:=100}"          # requests per second per client address
: "${RATE_BURST:=50}"          # requests above the rate accepted at once before 429
: "${STUB_STATUS_PORT:=8081}"

# API servers (Open Liberty)
: "${V1_REPLICAS:=3}"
: "${V1_BASE_PORT:=9081}"      # api-v1-1 listens here, api-v1-2 on the next port, ...
: "${V2_PORT:=9084}"
: "${ADMIN_CONSOLE_PORT:=9443}" # HTTPS port of api-v1-1, which hosts the admin console
: "${ADMIN_USER:=admin}"
: "${ADMIN_PASSWORD:=admin}"

# Monitoring (scripts/lib/monitoring.sh)
: "${EXPORTER_PORT:=9113}"
: "${PROMETHEUS_PORT:=9090}"

# Runtime state: logs, pids, generated certificate and htpasswd, Liberty runtime, TSDB.
: "${STATE_DIR:=$PROJECT_ROOT/state}"
STATE_DIR="$(mkdir -p "$STATE_DIR" && cd "$STATE_DIR" && pwd)"   # absolute: nginx and Liberty need it
LOG_DIR="$STATE_DIR/logs"
PID_DIR="$STATE_DIR/pids"
CERT_DIR="$STATE_DIR/certs"
NGINX_STATE_DIR="$STATE_DIR/nginx"
LIBERTY_STATE_DIR="$STATE_DIR/liberty"
WLP_DIR="$LIBERTY_STATE_DIR/wlp"
export WLP_USER_DIR="$LIBERTY_STATE_DIR/usr"   # keeps the servers in state/, outside the runtime

# Seconds to wait for each component to become ready.
: "${READY_TIMEOUT:=180}"

# The four servers: name, HTTP port and WAR variant, in start order.
api_instances() {
  local i
  for ((i = 1; i <= V1_REPLICAS; i++)); do
    echo "api-v1-$i $((V1_BASE_PORT + i - 1)) v1"
  done
  echo "api-v2 $V2_PORT v2"
}

# Exported for the monitoring functions and child processes; passwords stay unexported.
export PROJECT_ROOT STATE_DIR GATEWAY_HTTP_PORT GATEWAY_HTTPS_PORT RATE_LIMIT RATE_BURST \
  STUB_STATUS_PORT V1_REPLICAS V1_BASE_PORT V2_PORT ADMIN_CONSOLE_PORT EXPORTER_PORT PROMETHEUS_PORT
