# shellcheck shell=bash
# The API servers: one Open Liberty runtime in state/liberty/wlp (unpacked from Maven Central by
# the parent pom's dependency:unpack@liberty-runtime) and one server per instance in
# state/liberty/usr/servers, each made of liberty/: server.xml, jvm.options, the deployed-server
# overrides (configDropins/deployed, and configDropins/admin-console on one server) and its own
# server.env. supervisord runs them (`server run NAME`, scripts/lib/supervisor.sh).
# Needs settings.sh and progress.sh.

LIBERTY_CONFIG_DIR="$PROJECT_ROOT/liberty"
LIBERTY_SERVERS_DIR="$WLP_USER_DIR/servers"
LIBERTY_ADMIN_INSTANCE="api-v1-1"
LIBERTY_KEYSTORE_PASSWORD_FILE="$LIBERTY_STATE_DIR/admin-keystore.password"
LIBERTY_ADMIN_PASSWORD_FILE="$LIBERTY_STATE_DIR/admin-console.password"

liberty_log_dir() { echo "$LOG_DIR/liberty/$1"; }

# What the first download has reached: the runtime zip grows in Maven's local repository.
liberty_download_size() {
  local repo="${MAVEN_LOCAL_REPOSITORY:-$HOME/.m2/repository}/io/openliberty/openliberty-runtime"
  printf 'runtime in Maven repository: %s' "$(du -sh "$repo" 2>/dev/null | cut -f1 || echo 0)"
}

# The runtime is installed once; delete state/liberty/wlp to reinstall (e.g. after a version bump).
liberty_ensure_runtime() {
  if [[ -x "$WLP_DIR/bin/server" ]]; then
    ok "Open Liberty runtime present: $WLP_DIR"
    return
  fi
  local log="$LOG_DIR/liberty-install.log"
  step "Installing the Open Liberty runtime into $WLP_DIR (from Maven Central; the first download is about 350 MB); log: $log"
  mkdir -p "$LIBERTY_STATE_DIR"
  run_logged 1800 "$log" liberty_download_size sh -c "cd '$PROJECT_ROOT' && mvn -B -ntp -N \
      dependency:unpack@liberty-runtime -Dliberty.runtime.dir='$LIBERTY_STATE_DIR'" \
    || die "the Liberty runtime could not be installed; see $log"
  [[ -x "$WLP_DIR/bin/server" ]] || die "no $WLP_DIR/bin/server after install; see $log"
  ok "Open Liberty runtime installed: $WLP_DIR"
}

# The admin console's keystore password: generated once (the keystore is created with it).
liberty_keystore_password() {
  if [[ ! -s "$LIBERTY_KEYSTORE_PASSWORD_FILE" ]]; then
    (umask 077 && openssl rand -hex 24 >"$LIBERTY_KEYSTORE_PASSWORD_FILE")
  fi
  cat "$LIBERTY_KEYSTORE_PASSWORD_FILE"
}

# The admin console's password: ADMIN_PASSWORD when set, else one generated at first start (as
# Grafana's in scripts/compose.sh) and kept, mode 600, for the next starts. The start names the file,
# never the password: a terminal's scrollback and CI logs are no place for it.
liberty_admin_password() {
  if [[ -n "$ADMIN_PASSWORD" ]]; then
    printf '%s' "$ADMIN_PASSWORD"
    return
  fi
  if [[ ! -s "$LIBERTY_ADMIN_PASSWORD_FILE" ]]; then
    mkdir -p "$LIBERTY_STATE_DIR"
    { (umask 077 && openssl rand -base64 18 | tr -d '\n' >"$LIBERTY_ADMIN_PASSWORD_FILE.new") \
      && mv -f "$LIBERTY_ADMIN_PASSWORD_FILE.new" "$LIBERTY_ADMIN_PASSWORD_FILE"; } \
      || die "could not write $LIBERTY_ADMIN_PASSWORD_FILE"
    ok "admin console: a password for $ADMIN_USER was generated into $LIBERTY_ADMIN_PASSWORD_FILE (mode 600; ADMIN_PASSWORD sets your own)" >&2
  fi
  cat "$LIBERTY_ADMIN_PASSWORD_FILE"
}

# Lays out (or refreshes) one server; only called while that server is not running.
liberty_prepare_server() {
  local name="$1" port="$2" variant="$3" https_port=-1
  local dir="$LIBERTY_SERVERS_DIR/$name" war="ml-api-$variant.war" overrides admin_hash="" admin_password gateway_token
  overrides="$dir/configDropins/overrides"
  mkdir -p "$dir/apps" "$overrides" "$(liberty_log_dir "$name")"
  cp "$LIBERTY_CONFIG_DIR/server.xml" "$LIBERTY_CONFIG_DIR/jvm.options" "$dir/"
  cp "$LIBERTY_CONFIG_DIR"/configDropins/deployed/*.xml "$overrides/"
  cp "$WAR_DIR/$war" "$dir/apps/$war"
  if [[ "$name" == "$LIBERTY_ADMIN_INSTANCE" ]]; then
    https_port="$ADMIN_CONSOLE_PORT"
    admin_password="$(liberty_admin_password)" || exit 1
    admin_hash="$(liberty_hash_password "$admin_password")" || exit 1
    cp "$LIBERTY_CONFIG_DIR"/configDropins/admin-console/*.xml "$overrides/"
  else
    rm -f "$overrides/admin-center.xml"
  fi
  gateway_token="$(settings_secret gateway-token)" || exit 1
  (
    umask 077
    otel_disabled=true
    [[ -z "$TRACES_OTLP_ENDPOINT" ]] || otel_disabled=false
    GATEWAY_TOKEN="$gateway_token" INSTANCE_NAME="$name" INSTANCE_HTTP_PORT="$port" INSTANCE_HTTPS_PORT="$https_port" INSTANCE_WAR="$war" \
      INSTANCE_LOG_DIR="$(liberty_log_dir "$name")" API_SENTENCE_MAX_LENGTH="$API_SENTENCE_MAX_LENGTH" \
      API_BATCH_MAX="$API_BATCH_MAX" API_WARM_UP_MAX_SECONDS="$API_WARM_UP_MAX_SECONDS" PREDICTION_LOG_TEXT="$PREDICTION_LOG_TEXT" \
      INSTANCE_OTEL_SDK_DISABLED="$otel_disabled" \
      TRACES_OTLP_ENDPOINT="$TRACES_OTLP_ENDPOINT" \
      LOG_FILE_MAX_MB="$LOG_FILE_MAX_MB" LOG_FILES_KEPT="$LOG_FILES_KEPT" \
      envsubst <"$LIBERTY_CONFIG_DIR/server.env.template" >"$dir/server.env"
    if [[ "$name" == "$LIBERTY_ADMIN_INSTANCE" ]]; then
      ADMIN_USER="$ADMIN_USER" ADMIN_PASSWORD_HASH="$admin_hash" \
        KEYSTORE_PASSWORD="$(liberty_keystore_password)" \
        envsubst <"$LIBERTY_CONFIG_DIR/admin-console.env.template" >>"$dir/server.env"
    fi
  ) || die "could not write $dir/server.env"
}

# Liberty's salted hash of a password ({hash}...), which a basicRegistry checks without knowing the
# password. securityUtility reads the password from a console (twice), never from its command
# line, where `ps` would show it: script(1) gives it a terminal fed from a pipe.
liberty_hash_password() {
  local hash
  hash="$(printf '%s\n%s\n' "$1" "$1" \
    | timeout 120 script -qec "\"$WLP_DIR/bin/securityUtility\" encode --encoding=hash --notrim" /dev/null 2>/dev/null \
    | tr -d '\r' | grep -E '^\{hash\}[A-Za-z0-9+/=]+$' | tail -n 1)"
  [[ -n "$hash" ]] || die "securityUtility could not hash the admin console password (try: $WLP_DIR/bin/securityUtility encode --encoding=hash)"
  printf '%s' "$hash"
}

liberty_server_ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/health/ready"; }

# Liberty's own generated keystore signs the console's certificate: -k only for this probe.
liberty_admin_console_up() {
  local code
  code="$(curl -ks -o /dev/null -w '%{http_code}' --max-time 3 "https://127.0.0.1:$ADMIN_CONSOLE_PORT/adminCenter/")"
  [[ "$code" == 200 || "$code" == 302 ]]
}

# Takes one server out of service without touching nginx: its HTTP endpoint stops accepting and
# closes its idle connections, so nginx retries new requests on the other servers (proxy_next_upstream).
liberty_pause_server() {
  local name="$1" port="$2" log
  log="$(liberty_log_dir "$name")/server-pause.log"
  WLP_USER_DIR="$WLP_USER_DIR" timeout 60 "$WLP_DIR/bin/server" pause "$name" >"$log" 2>&1 || die "$name could not be paused; see $log"
  wait_until 30 "$name to stop listening on $port" port_is_free "$port" || die "$name still listens on $port after pause"
  ok "$name paused: no longer accepts connections on $port"
}

# liberty_deploy_war NAME WAR: puts WAR in place of the server's application (server stopped).
liberty_deploy_war() {
  local name="$1" war="$2" target
  target="$(find "$LIBERTY_SERVERS_DIR/$name/apps" -maxdepth 1 -name 'ml-api-*.war' -print -quit)"
  [[ -n "$target" ]] || die "$name has no application in $LIBERTY_SERVERS_DIR/$name/apps"
  cp "$war" "$target.new"
  mv "$target.new" "$target"
  ok "$name: $(basename "$target") replaced by $war"
}
