# shellcheck shell=bash
# shellcheck disable=SC2034 # the paths below are for the scripts that source this file
# The stack's settings: every KEY=value of stack.env (repository root), where an environment
# variable of the same name wins, then the state paths derived from them. The end-to-end tests and
# Compose read the same file. Sourcing defines variables and functions; it creates nothing.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SETTINGS_FILE="$PROJECT_ROOT/stack.env"
# shellcheck source=scripts/lib/checks.sh
source "$PROJECT_ROOT/scripts/lib/checks.sh"
# What the stack writes (logs, configuration, state) is its owner's and group's only; the few files
# others must read are opened up one by one (the certificate, the htpasswd file for nginx's workers).
umask 027

# The keys stack.env defines, one a line.
settings_keys() { sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$SETTINGS_FILE"; }

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
SECRETS_DIR="$STATE_DIR/secrets"
WLP_DIR="$LIBERTY_STATE_DIR/wlp"
# The servers live in state/, outside the runtime. Not exported: Maven's own Liberty (Arquillian,
# liberty:dev) would take it too; supervisord and the server command get it explicitly.
WLP_USER_DIR="$LIBERTY_STATE_DIR/usr"
export STATE_DIR

# settings_secret NAME: one of the stack's generated secrets (128 bits, hex), made at first use and
# kept in state/secrets/NAME (mode 600) for every later start, so running programs and the files
# rendered for them keep agreeing. Delete the file (stack stopped) to get a new one.
settings_secret() {
  local file="$SECRETS_DIR/$1"
  if [[ ! -s "$file" ]]; then
    (umask 077 && mkdir -p "$SECRETS_DIR" && openssl rand -hex 16 >"$file.new" && mv -f "$file.new" "$file") \
      || {
        echo "ERROR: could not write $file" >&2
        return 1
      }
  fi
  cat "$file"
}

# The API servers: name, HTTP port and WAR variant, in start order.
api_instances() {
  local i
  for ((i = 1; i <= V1_REPLICAS; i++)); do
    echo "api-v1-$i $((V1_BASE_PORT + i - 1)) v1"
  done
  echo "api-v2 $V2_PORT v2"
}

# The v1 servers alone, the same way.
v1_instances() { api_instances | awk '$3 == "v1"'; }

# Every port the stack listens on.
stack_ports() {
  local port
  echo "$GATEWAY_HTTP_PORT $GATEWAY_HTTPS_PORT $STUB_STATUS_PORT $ADMIN_CONSOLE_PORT $EXPORTER_PORT $PROMETHEUS_PORT $ALERTMANAGER_PORT $CANDIDATE_PORT"
  while read -r _ port _; do echo "$port"; done < <(api_instances)
}

# ---- Checking the settings -------------------------------------------------------------------------
# settings_validate runs before anything is written, rendered or started: every problem is listed
# in one message and the start stops with nothing changed. It also settles GATEWAY_BIND.

SETTINGS_PORT_KEYS=(GATEWAY_HTTP_PORT GATEWAY_HTTPS_PORT STUB_STATUS_PORT V1_BASE_PORT V2_PORT CANDIDATE_PORT
  ADMIN_CONSOLE_PORT EXPORTER_PORT PROMETHEUS_PORT ALERTMANAGER_PORT)

# A value as a reader may see it: control characters and quotes made visible, never raw.
settings_show() { printf '%q' "$1"; }

settings_is_percent() { [[ "$1" =~ ^[0-9]{1,3}$ ]] && ((10#$1 <= 100)); }
settings_is_port() { [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }

# Where the gateway listens: an explicit GATEWAY_BIND (an IPv4 address), or, when empty, 127.0.0.1
# while GATEWAY_PASSWORD is the default and 0.0.0.0 (every interface) once it is not.
settings_gateway_bind() {
  if [[ -n "${GATEWAY_BIND:-}" ]]; then
    echo "$GATEWAY_BIND"
  elif [[ "$GATEWAY_PASSWORD" == "$CHECKS_DEFAULT_PASSWORD" ]]; then
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
    checks_is_name "${!key}" \
      || echo "$key=$(settings_show "${!key}") is not a user name: use 1 to 64 of the characters A-Z a-z 0-9 . _ -"
  done
  # An empty ADMIN_PASSWORD is generated at first start (scripts/lib/liberty.sh).
  [[ -n "$GATEWAY_PASSWORD" ]] || echo "GATEWAY_PASSWORD is empty"
  [[ "$V1_REPLICAS" =~ ^[1-9]$ ]] || echo "V1_REPLICAS=$(settings_show "$V1_REPLICAS") must be a number from 1 to 9"
  for key in "${SETTINGS_PORT_KEYS[@]}"; do
    settings_is_port "${!key}" || echo "$key=$(settings_show "${!key}") is not a port: use a number from 1 to 65535"
  done
  if [[ "$V1_REPLICAS" =~ ^[1-9]$ ]] && settings_is_port "$V1_BASE_PORT" && ((10#$V1_BASE_PORT + V1_REPLICAS - 1 > 65535)); then
    echo "V1_BASE_PORT=$V1_BASE_PORT leaves no port for api-v1-$V1_REPLICAS (V1_REPLICAS=$V1_REPLICAS)"
  fi
  for key in RATE_LIMIT RATE_BURST READY_TIMEOUT API_SENTENCE_MAX_LENGTH API_BATCH_MAX; do
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
  [[ -z "$TRACES_OTLP_ENDPOINT" || "$TRACES_OTLP_ENDPOINT" =~ ^https?://[A-Za-z0-9.:_-]+(/[A-Za-z0-9._~/-]*)?$ ]] \
    || echo "TRACES_OTLP_ENDPOINT=$(settings_show "$TRACES_OTLP_ENDPOINT") must be empty (no export) or an http:// or https:// URL such as http://127.0.0.1:4318"
  [[ "$HTPASSWD_SCHEME" == sha512 || "$HTPASSWD_SCHEME" == bcrypt ]] \
    || echo "HTPASSWD_SCHEME=$(settings_show "$HTPASSWD_SCHEME") must be sha512 or bcrypt"
  [[ "$LOG_FILE_MAX_MB" =~ ^[0-9]{1,4}$ ]] && ((10#$LOG_FILE_MAX_MB >= 1 && 10#$LOG_FILE_MAX_MB <= 1024)) \
    || echo "LOG_FILE_MAX_MB=$(settings_show "$LOG_FILE_MAX_MB") must be a number of MiB from 1 to 1024"
  [[ "$LOG_FILES_KEPT" =~ ^[0-9]{1,2}$ ]] && ((10#$LOG_FILES_KEPT >= 1)) \
    || echo "LOG_FILES_KEPT=$(settings_show "$LOG_FILES_KEPT") must be a number of files from 1 to 99"
  settings_alerting_problems
  if [[ -n "${GATEWAY_BIND:-}" ]] && ! checks_is_ipv4 "$GATEWAY_BIND"; then
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
      echo "port $port is given to two components: each of GATEWAY_HTTP_PORT, GATEWAY_HTTPS_PORT, STUB_STATUS_PORT, the API ports (V1_BASE_PORT.., V2_PORT and CANDIDATE_PORT), ADMIN_CONSOLE_PORT, EXPORTER_PORT, PROMETHEUS_PORT and ALERTMANAGER_PORT needs its own"
    done
  fi
  return 0
}

# Where alerts go besides Alertmanager's own UI and API (scripts/lib/alerting.sh): a webhook, and
# e-mail through an SMTP relay. Each value ends up in a YAML string, so no control character (checked
# above for every setting) and no quote or backslash.
settings_alerting_problems() {
  local key
  for key in ALERT_WEBHOOK_URL ALERT_EMAIL_TO ALERT_EMAIL_FROM ALERT_SMTP_SMARTHOST ALERT_SMTP_USERNAME ALERT_SMTP_PASSWORD; do
    [[ "${!key}" =~ [\"\'\\] ]] && echo "$key holds a quote or a backslash"
  done
  if [[ -n "$ALERT_WEBHOOK_URL" && ! "$ALERT_WEBHOOK_URL" =~ ^https?://[^[:space:]/?#]+(/[^[:space:]]*)?$ ]]; then
    echo "ALERT_WEBHOOK_URL=$(settings_show "$ALERT_WEBHOOK_URL") is not an http:// or https:// URL"
  fi
  if [[ -n "$ALERT_EMAIL_TO$ALERT_EMAIL_FROM$ALERT_SMTP_SMARTHOST" ]]; then
    for key in ALERT_EMAIL_TO ALERT_EMAIL_FROM; do
      [[ "${!key}" =~ ^[^[:space:]@,]+@[^[:space:]@,]+$ ]] \
        || echo "$key=$(settings_show "${!key}") is not an e-mail address (e-mail alerts need ALERT_EMAIL_TO, ALERT_EMAIL_FROM and ALERT_SMTP_SMARTHOST)"
    done
    [[ "$ALERT_SMTP_SMARTHOST" =~ ^[A-Za-z0-9.-]+:[0-9]{1,5}$ ]] \
      || echo "ALERT_SMTP_SMARTHOST=$(settings_show "$ALERT_SMTP_SMARTHOST") must be host:port of an SMTP relay (e-mail alerts need ALERT_EMAIL_TO, ALERT_EMAIL_FROM and ALERT_SMTP_SMARTHOST)"
  fi
}

# The refusals that concern safety rather than syntax: a gateway open to the network needs a password
# that is neither the default nor weak. The password itself is never shown.
#   settings_public_password_problem ADDRESS HOW: the problem of opening the gateway on ADDRESS,
#   which HOW names for the reader (GATEWAY_BIND=..., GATEWAY_PUBLISH_ADDRESS=...), or nothing.
settings_public_password_problem() {
  local address="$1" how="$2" weakness
  checks_is_ipv4 "$address" && ! checks_is_loopback "$address" || return 0
  if [[ "$GATEWAY_PASSWORD" == "$CHECKS_DEFAULT_PASSWORD" ]]; then
    echo "$how would open the gateway to the network with the default password '$CHECKS_DEFAULT_PASSWORD'." \
      "Set a password of at least $CHECKS_MIN_PASSWORD_LENGTH characters first: GATEWAY_PASSWORD=... (in the environment or stack.env; openssl rand -base64 18 makes one), or leave GATEWAY_BIND empty to listen on 127.0.0.1 only"
  elif weakness="$(checks_password_weakness "$GATEWAY_PASSWORD" "$GATEWAY_USER")" && [[ -n "$weakness" ]]; then
    echo "GATEWAY_PASSWORD is too weak for a gateway open to the network ($how): $weakness." \
      "Use at least $CHECKS_MIN_PASSWORD_LENGTH characters that are not a common password (openssl rand -base64 18 makes one), or GATEWAY_BIND=127.0.0.1 to keep the gateway on this machine"
  fi
}

settings_exposure_problems() {
  local bind how
  bind="$(settings_gateway_bind)"
  how="GATEWAY_BIND=$bind"
  [[ -z "${GATEWAY_BIND:-}" ]] && how="GATEWAY_BIND empty, so $bind (every interface) as the password is not the default"
  settings_public_password_problem "$bind" "$how"
}

settings_validate() {
  refuse "invalid settings (stack.env or the environment); nothing was written or started" "$(
    settings_problems
    settings_exposure_problems
  )"
  GATEWAY_BIND="$(settings_gateway_bind)"
}
