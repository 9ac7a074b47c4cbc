# The stack's settings: every KEY=value of stack.env (repository root), where an environment
# variable of the same name wins, then the state paths derived from them. The end-to-end tests and
# Compose read the same file. Sourcing defines variables and functions; it creates nothing.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SETTINGS_FILE="$PROJECT_ROOT/stack.env"

# The keys stack.env defines, one a line.
settings_keys() { sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$SETTINGS_FILE"; }

# KEY=value for every setting as it is in effect (environment first), for `env` and envsubst.
settings_assignments() {
  local key
  for key in $(settings_keys); do printf '%s=%s\n' "$key" "${!key}"; done
}

while IFS='=' read -r _key _value; do
  if [[ "$_key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ && -z "${!_key:-}" ]]; then printf -v "$_key" '%s' "$_value"; fi
done <"$SETTINGS_FILE"
unset _key _value

# Runtime state: logs, supervisor, generated certificate and htpasswd, Liberty runtime, TSDB.
# Absolute, because nginx, Liberty and supervisord resolve paths from other folders.
STATE_DIR="$(realpath -m "${STATE_DIR:-$PROJECT_ROOT/state}")"
LOG_DIR="$STATE_DIR/logs"
CERT_DIR="$STATE_DIR/certs"
NGINX_STATE_DIR="$STATE_DIR/nginx"
LIBERTY_STATE_DIR="$STATE_DIR/liberty"
PROMETHEUS_STATE_DIR="$STATE_DIR/prometheus"
SUPERVISOR_DIR="$STATE_DIR/supervisor"
WLP_DIR="$LIBERTY_STATE_DIR/wlp"
# The servers live in state/, outside the runtime. Not exported: Maven's own Liberty (Arquillian,
# liberty:dev) would take it too; supervisord and the server command get it explicitly.
WLP_USER_DIR="$LIBERTY_STATE_DIR/usr"
export STATE_DIR

# The API servers: name, HTTP port and WAR variant, in start order.
api_instances() {
  local i
  for ((i = 1; i <= V1_REPLICAS; i++)); do
    echo "api-v1-$i $((V1_BASE_PORT + i - 1)) v1"
  done
  echo "api-v2 $V2_PORT v2"
}

# Every port the stack listens on.
stack_ports() {
  local name port variant
  echo "$GATEWAY_HTTP_PORT $GATEWAY_HTTPS_PORT $STUB_STATUS_PORT $ADMIN_CONSOLE_PORT $EXPORTER_PORT $PROMETHEUS_PORT"
  while read -r name port variant; do echo "$port"; done < <(api_instances)
}
