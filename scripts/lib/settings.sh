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
  echo "$GATEWAY_HTTP_PORT $GATEWAY_HTTPS_PORT $STUB_STATUS_PORT $ADMIN_CONSOLE_PORT $EXPORTER_PORT $PROMETHEUS_PORT $CANDIDATE_PORT"
  while read -r name port variant; do echo "$port"; done < <(api_instances)
}

# ---- Checking the settings -------------------------------------------------------------------------
# settings_validate runs before anything is written, rendered or started: every problem is listed
# in one message and the start stops with nothing changed. It also settles GATEWAY_BIND.

SETTINGS_DEFAULT_PASSWORD=admin
SETTINGS_NAME_PATTERN='^[A-Za-z0-9._-]{1,64}$'
SETTINGS_PORT_KEYS=(GATEWAY_HTTP_PORT GATEWAY_HTTPS_PORT STUB_STATUS_PORT V1_BASE_PORT V2_PORT CANDIDATE_PORT
  ADMIN_CONSOLE_PORT EXPORTER_PORT PROMETHEUS_PORT)

# A value as a reader may see it: control characters and quotes made visible, never raw.
settings_show() { printf '%q' "$1"; }

settings_is_percent() { [[ "$1" =~ ^[0-9]{1,3}$ ]] && ((10#$1 <= 100)); }
settings_is_port() { [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }

settings_is_ipv4() {
  local IFS=. octets octet
  [[ "$1" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  read -r -a octets <<<"$1"
  for octet in "${octets[@]}"; do ((10#$octet <= 255)) || return 1; done
}

settings_is_loopback() { [[ "$1" == 127.* ]]; }

# Where the gateway listens: an explicit GATEWAY_BIND (an IPv4 address), or, when empty, 127.0.0.1
# while GATEWAY_PASSWORD is the default and 0.0.0.0 (every interface) once it is not.
settings_gateway_bind() {
  if [[ -n "${GATEWAY_BIND:-}" ]]; then
    echo "$GATEWAY_BIND"
  elif [[ "$GATEWAY_PASSWORD" == "$SETTINGS_DEFAULT_PASSWORD" ]]; then
    echo 127.0.0.1
  else
    echo 0.0.0.0
  fi
}

# The problems of the current settings, one a line; nothing when they are fine.
settings_problems() {
  local key value port
  for key in $(settings_keys) STATE_DIR; do
    value="${!key-}"
    if [[ "$value" =~ [[:cntrl:]] ]]; then
      echo "$key holds a newline or another control character"
    fi
  done
  for key in GATEWAY_USER ADMIN_USER; do
    [[ "${!key}" =~ $SETTINGS_NAME_PATTERN ]] \
      || echo "$key=$(settings_show "${!key}") is not a user name: use 1 to 64 of the characters A-Z a-z 0-9 . _ -"
  done
  for key in GATEWAY_PASSWORD ADMIN_PASSWORD; do
    [[ -n "${!key}" ]] || echo "$key is empty"
  done
  [[ "$V1_REPLICAS" =~ ^[1-9]$ ]] || echo "V1_REPLICAS=$(settings_show "$V1_REPLICAS") must be a number from 1 to 9"
  for key in "${SETTINGS_PORT_KEYS[@]}"; do
    settings_is_port "${!key}" || echo "$key=$(settings_show "${!key}") is not a port: use a number from 1 to 65535"
  done
  if [[ "$V1_REPLICAS" =~ ^[1-9]$ ]] && settings_is_port "$V1_BASE_PORT" && ((10#$V1_BASE_PORT + V1_REPLICAS - 1 > 65535)); then
    echo "V1_BASE_PORT=$V1_BASE_PORT leaves no port for api-v1-$V1_REPLICAS (V1_REPLICAS=$V1_REPLICAS)"
  fi
  for key in RATE_LIMIT RATE_BURST READY_TIMEOUT API_SENTENCE_MAX_LENGTH; do
    [[ "${!key}" =~ ^[1-9][0-9]{0,8}$ ]] || echo "$key=$(settings_show "${!key}") must be a positive whole number"
  done
  [[ "$API_WARM_UP_MAX_SECONDS" =~ ^[0-9]{1,4}$ ]] \
    || echo "API_WARM_UP_MAX_SECONDS=$(settings_show "$API_WARM_UP_MAX_SECONDS") must be a whole number of seconds (0: no warm-up)"
  for key in SHADOW_PERCENT CANARY_PERCENT; do
    settings_is_percent "${!key}" || echo "$key=$(settings_show "${!key}") must be a whole number from 0 to 100"
  done
  [[ "$PREDICTION_LOG_TEXT" == true || "$PREDICTION_LOG_TEXT" == false ]] \
    || echo "PREDICTION_LOG_TEXT=$(settings_show "$PREDICTION_LOG_TEXT") must be true or false"
  [[ "$GATEWAY_MAX_BODY_SIZE" =~ ^[0-9]{1,9}[kKmM]?$ ]] \
    || echo "GATEWAY_MAX_BODY_SIZE=$(settings_show "$GATEWAY_MAX_BODY_SIZE") must be a size such as 64k or 1m"
  [[ "$HTPASSWD_SCHEME" == ssha || "$HTPASSWD_SCHEME" == bcrypt ]] \
    || echo "HTPASSWD_SCHEME=$(settings_show "$HTPASSWD_SCHEME") must be ssha or bcrypt"
  if [[ -n "${GATEWAY_BIND:-}" ]] && ! settings_is_ipv4 "$GATEWAY_BIND"; then
    echo "GATEWAY_BIND=$(settings_show "$GATEWAY_BIND") is not an IPv4 address: use 127.0.0.1 (this machine), 0.0.0.0 (every interface), one address of this machine, or leave it empty (automatic)"
  fi
  # The paths go into nginx, supervisord and shell command lines, quoted; these characters would end a quote there.
  for key in PROJECT_ROOT STATE_DIR; do
    [[ "${!key}" =~ [\"\'\\\$\`\;] ]] \
      && echo "$key=$(settings_show "${!key}") holds one of the characters \" ' \\ \$ \` ; which the generated configuration cannot quote: use another folder"
  done
  # Every port once.
  if [[ "$V1_REPLICAS" =~ ^[1-9]$ ]]; then
    for port in $(stack_ports | tr ' ' '\n' | sort | uniq -d); do
      echo "port $port is given to two components: each of GATEWAY_HTTP_PORT, GATEWAY_HTTPS_PORT, STUB_STATUS_PORT, the API ports (V1_BASE_PORT.., V2_PORT and CANDIDATE_PORT), ADMIN_CONSOLE_PORT, EXPORTER_PORT and PROMETHEUS_PORT needs its own"
    done
  fi
  return 0
}

# The one refusal that concerns safety rather than syntax: the default password on the network.
settings_exposure_problems() {
  local bind
  bind="$(settings_gateway_bind)"
  if [[ "$GATEWAY_PASSWORD" == "$SETTINGS_DEFAULT_PASSWORD" ]] && settings_is_ipv4 "$bind" && ! settings_is_loopback "$bind"; then
    echo "GATEWAY_BIND=$bind would open the gateway to the network with the default password '$SETTINGS_DEFAULT_PASSWORD'." \
      "Set a password first: GATEWAY_PASSWORD='a-long-secret' (in the environment or stack.env), or leave GATEWAY_BIND empty to listen on 127.0.0.1 only"
  fi
}

settings_validate() {
  local problems
  problems="$( settings_problems; settings_exposure_problems )"
  if [[ -n "$problems" ]]; then
    printf 'ERROR: invalid settings (stack.env or the environment); nothing was written or started:\n' >&2
    printf '  - %s\n' "${problems//$'\n'/$'\n'  - }" >&2
    exit 1
  fi
  GATEWAY_BIND="$(settings_gateway_bind)"
}
