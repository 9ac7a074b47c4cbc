# The API servers: one Open Liberty runtime in state/liberty/wlp (from Maven Central through
# liberty-maven-plugin) and one server per instance in state/liberty/usr/servers, each a copy of
# the liberty/ template plus its own server.env. Needs config.sh and progress.sh.

LIBERTY_TEMPLATE_DIR="$PROJECT_ROOT/liberty"
LIBERTY_SERVERS_DIR="$WLP_USER_DIR/servers"
LIBERTY_ADMIN_INSTANCE="api-v1-1"
LIBERTY_KEYSTORE_PASSWORD_FILE="$LIBERTY_STATE_DIR/admin-keystore.password"

liberty_log_dir() { echo "$LOG_DIR/liberty/$1"; }

# The runtime is installed once; delete state/liberty/wlp to reinstall (e.g. after a version bump).
liberty_ensure_runtime() {
  if [[ -x "$WLP_DIR/bin/server" ]]; then
    ok "Open Liberty runtime present: $WLP_DIR"
    return
  fi
  step "Installing the Open Liberty runtime into $WLP_DIR (Maven: liberty:install-server)"
  mkdir -p "$LIBERTY_STATE_DIR"
  (cd "$PROJECT_ROOT" && mvn -B -q -pl ml-api-war liberty:install-server \
      -DruntimeInstallDirectory="$LIBERTY_STATE_DIR") >"$LOG_DIR/liberty-install.log" 2>&1 \
    || die "the Liberty runtime could not be installed; see $LOG_DIR/liberty-install.log"
  [[ -x "$WLP_DIR/bin/server" ]] || die "no $WLP_DIR/bin/server after install; see $LOG_DIR/liberty-install.log"
  ok "Open Liberty runtime installed: $WLP_DIR"
}

liberty_server_pid() {
  local name="$1" pid file="$PID_DIR/$1.pid"
  [[ -s "$file" ]] || return 1
  pid="$(<"$file")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# The admin console's keystore password: generated once (the keystore is created with it).
liberty_keystore_password() {
  if [[ ! -s "$LIBERTY_KEYSTORE_PASSWORD_FILE" ]]; then
    (umask 077 && openssl rand -hex 24 >"$LIBERTY_KEYSTORE_PASSWORD_FILE")
  fi
  cat "$LIBERTY_KEYSTORE_PASSWORD_FILE"
}

# Lay out (or refresh) one server from the template; only called while that server is down.
liberty_prepare_server() {
  local name="$1" port="$2" variant="$3"
  local dir="$LIBERTY_SERVERS_DIR/$name" war="ml-api-$variant.war"
  mkdir -p "$dir/apps" "$dir/configDropins/overrides" "$(liberty_log_dir "$name")"
  cp "$LIBERTY_TEMPLATE_DIR/server.xml" "$LIBERTY_TEMPLATE_DIR/jvm.options" "$dir/"
  cp "$PROJECT_ROOT/ml-api-war/target/$war" "$dir/apps/$war"

  (
    umask 077
    INSTANCE_NAME="$name" INSTANCE_HTTP_PORT="$port" INSTANCE_WAR="$war" \
      INSTANCE_LOG_DIR="$(liberty_log_dir "$name")" INSTANCE_PID_DIR="$PID_DIR" \
      envsubst '${INSTANCE_NAME} ${INSTANCE_HTTP_PORT} ${INSTANCE_WAR} ${INSTANCE_LOG_DIR} ${INSTANCE_PID_DIR}' \
      <"$LIBERTY_TEMPLATE_DIR/server.env.template" >"$dir/server.env"
    if [[ "$name" == "$LIBERTY_ADMIN_INSTANCE" ]]; then
      cp "$LIBERTY_TEMPLATE_DIR/admin-center.xml" "$dir/configDropins/overrides/admin-center.xml"
      ADMIN_CONSOLE_PORT="$ADMIN_CONSOLE_PORT" ADMIN_USER="$ADMIN_USER" ADMIN_PASSWORD="$ADMIN_PASSWORD" \
        KEYSTORE_PASSWORD="$(liberty_keystore_password)" \
        envsubst '${ADMIN_CONSOLE_PORT} ${ADMIN_USER} ${ADMIN_PASSWORD} ${KEYSTORE_PASSWORD}' \
        <"$LIBERTY_TEMPLATE_DIR/admin-center.env.template" >>"$dir/server.env"
    else
      rm -f "$dir/configDropins/overrides/admin-center.xml"
    fi
  )
}

# Start every server that is down, in parallel; `server start` returns once the JVM runs.
liberty_start_all() {
  local name port variant pid started=() failed=0
  if [[ "$ADMIN_PASSWORD" == "admin" ]]; then
    warn "ADMIN_PASSWORD is the default 'admin': set ADMIN_USER/ADMIN_PASSWORD for the admin console"
  fi
  while read -r name port variant; do
    if pid="$(liberty_server_pid "$name")"; then
      ok "$name already running (pid $pid, port $port)"
      if ! cmp -s "$PROJECT_ROOT/ml-api-war/target/ml-api-$variant.war" "$LIBERTY_SERVERS_DIR/$name/apps/ml-api-$variant.war"; then
        warn "$name runs an older build of ml-api-$variant.war; stop and start the stack to use the new one"
      fi
      continue
    fi
    if port_in_use "$port"; then
      die "port $port for $name is in use by another program: $(port_owner "$port")"
    fi
    liberty_prepare_server "$name" "$port" "$variant"
    step "Starting $name ($variant) on 127.0.0.1:$port"
    "$WLP_DIR/bin/server" start "$name" >"$(liberty_log_dir "$name")/server-start.log" 2>&1 &
    started+=("$name:$!")
  done < <(api_instances)

  local entry
  for entry in "${started[@]}"; do
    name="${entry%%:*}"
    if wait "${entry#*:}" && pid="$(liberty_server_pid "$name")"; then
      ok "$name JVM running (pid $pid); its application is still starting"
    else
      warn "$name failed to start; see $(liberty_log_dir "$name")/server-start.log and console.log"
      failed=1
    fi
  done
  ((failed == 0)) || die "some Liberty servers did not start"
}

liberty_wait_ready() {
  local name port variant
  while read -r name port variant; do
    liberty_wait_server_ready "$name" "$port"
  done < <(api_instances)
  wait_until "$READY_TIMEOUT" "the admin console (https://localhost:$ADMIN_CONSOLE_PORT/adminCenter/)" \
    liberty_admin_console_up \
    || die "the admin console does not answer; see $(liberty_log_dir "$LIBERTY_ADMIN_INSTANCE")/messages.log"
  ok "admin console ready on https://localhost:$ADMIN_CONSOLE_PORT/adminCenter/"
}

liberty_server_ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/health/ready"; }

liberty_wait_server_ready() {
  local name="$1" port="$2"
  wait_until "$READY_TIMEOUT" "$name to be ready (http://127.0.0.1:$port/health/ready)" liberty_server_ready "$port" \
    || die "$name is not ready after ${READY_TIMEOUT}s; see $(liberty_log_dir "$name")/messages.log"
  ok "$name ready on 127.0.0.1:$port"
}

# Liberty's own generated keystore signs the console's certificate: -k only for this probe.
liberty_admin_console_up() {
  local code
  code="$(curl -ks -o /dev/null -w '%{http_code}' --max-time 3 "https://127.0.0.1:$ADMIN_CONSOLE_PORT/adminCenter/")"
  [[ "$code" == 200 || "$code" == 302 ]]
}

# Stop every server laid out in state/, configured or not (V1_REPLICAS may have shrunk).
liberty_stop_all() {
  local dir name pid stopping=()
  [[ -x "$WLP_DIR/bin/server" && -d "$LIBERTY_SERVERS_DIR" ]] || { ok "no Liberty servers laid out"; return; }
  for dir in "$LIBERTY_SERVERS_DIR"/*/; do
    name="$(basename "$dir")"
    if ! pid="$(liberty_server_pid "$name")"; then
      ok "$name is not running"
      continue
    fi
    step "Stopping $name (pid $pid)"
    "$WLP_DIR/bin/server" stop "$name" >"$(liberty_log_dir "$name")/server-stop.log" 2>&1 &
    stopping+=("$name:$pid")
  done
  wait || true

  local entry
  for entry in "${stopping[@]}"; do
    name="${entry%%:*}" pid="${entry#*:}"
    if ! wait_until 30 "$name to exit" process_gone "$pid"; then
      warn "$name did not stop cleanly; killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    ok "$name stopped"
  done
}

liberty_status_rows() {
  local name port variant pid
  while read -r name port variant; do
    pid="$(liberty_server_pid "$name")" || pid="-"
    status_row "$name" "$pid" "$port" curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready"
  done < <(api_instances)
  pid="$(liberty_server_pid "$LIBERTY_ADMIN_INSTANCE")" || pid="-"
  status_row admin-console "$pid" "$ADMIN_CONSOLE_PORT" liberty_admin_console_up
}

# --- one server at a time (scripts/rollout.sh) ---------------------------------------------------

# Takes one server out of service without touching nginx: its HTTP endpoint stops accepting and
# closes its idle connections, so nginx retries new requests on the other servers (proxy_next_upstream).
liberty_pause_server() {
  local name="$1" port="$2"
  "$WLP_DIR/bin/server" pause "$name" >"$(liberty_log_dir "$name")/server-pause.log" 2>&1 \
    || die "$name could not be paused; see $(liberty_log_dir "$name")/server-pause.log"
  wait_until 30 "$name to stop listening on $port" port_is_free "$port" || die "$name still listens on $port after pause"
  ok "$name paused: no longer accepts connections on $port"
}

# Stops one server gracefully (its in-flight requests finish); killed if it has not exited in 30 s.
liberty_stop_server() {
  local name="$1" pid
  if ! pid="$(liberty_server_pid "$name")"; then
    ok "$name is not running"
    return
  fi
  "$WLP_DIR/bin/server" stop "$name" >"$(liberty_log_dir "$name")/server-stop.log" 2>&1 || true
  if ! wait_until 30 "$name to exit" process_gone "$pid"; then
    warn "$name did not stop cleanly; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  ok "$name stopped"
}

# liberty_deploy_war NAME WAR FILE: puts WAR FILE in place of the server's application (server down).
liberty_deploy_war() {
  local name="$1" war="$2" target
  target="$(find "$LIBERTY_SERVERS_DIR/$name/apps" -maxdepth 1 -name 'ml-api-*.war' -print -quit)"
  [[ -n "$target" ]] || die "$name has no application in $LIBERTY_SERVERS_DIR/$name/apps"
  cp "$war" "$target.new"
  mv "$target.new" "$target"
  ok "$name: $(basename "$target") replaced by $war"
}

liberty_start_server() {
  local name="$1" pid
  "$WLP_DIR/bin/server" start "$name" >"$(liberty_log_dir "$name")/server-start.log" 2>&1 \
    || die "$name did not start; see $(liberty_log_dir "$name")/server-start.log and console.log"
  pid="$(liberty_server_pid "$name")" || die "$name has no running process after start; see $(liberty_log_dir "$name")/console.log"
  ok "$name JVM running (pid $pid)"
}
