# The native gateway: render nginx/ templates into state/nginx, check them, and run one nginx
# instance of our own (own pid file, logs, temp dirs) beside whatever the system runs.
# Needs config.sh and progress.sh.

NGINX_TEMPLATE_DIR="$PROJECT_ROOT/nginx"
NGINX_CONF="$NGINX_STATE_DIR/nginx.conf"
NGINX_PID_FILE="$NGINX_STATE_DIR/nginx.pid"
NGINX_LOG_DIR="$LOG_DIR/nginx"

# Root starts the master; the workers then run unprivileged.
if [[ $EUID -eq 0 ]] && id www-data >/dev/null 2>&1; then
  NGINX_WORKER_USER=www-data
  NGINX_WORKER_GROUP=www-data
else
  NGINX_WORKER_USER=""
  NGINX_WORKER_GROUP=""
fi

# The workers read the htpasswd file and write temporary files: both stay in the state folder
# unless the unprivileged workers cannot reach it (a checkout under /root, or in a mktemp -d folder,
# mode 700); then they go to a folder of this stack's own under /run.
mkdir -p "$NGINX_STATE_DIR"
NGINX_WORKER_DIR="$NGINX_STATE_DIR"
if [[ -n "$NGINX_WORKER_USER" ]] && ! runuser -u "$NGINX_WORKER_USER" -- test -x "$NGINX_STATE_DIR" 2>/dev/null; then
  # Under /run: only root may create there, so no one can plant the folder first.
  NGINX_WORKER_DIR="/run/ml-gateway/$(printf '%s' "$NGINX_STATE_DIR" | sha256sum | cut -c1-12)"
  mkdir -p "$NGINX_WORKER_DIR"
  chgrp "$NGINX_WORKER_GROUP" "$NGINX_WORKER_DIR"
  chmod 750 "$NGINX_WORKER_DIR"
fi
NGINX_HTPASSWD_FILE="$NGINX_WORKER_DIR/htpasswd"

# Variables the templates use; listing them keeps nginx's own $variables out of envsubst's reach.
NGINX_TEMPLATE_VARS='${NGINX_USER_DIRECTIVE} ${NGINX_STATE_DIR} ${NGINX_WORKER_DIR} ${NGINX_LOG_DIR} ${NGINX_CERT_DIR} ${NGINX_HTPASSWD_FILE} ${GATEWAY_HTTP_PORT} ${GATEWAY_HTTPS_PORT} ${RATE_LIMIT} ${RATE_BURST} ${STUB_STATUS_LISTEN}'

nginx_render() {
  step "Rendering the nginx configuration into $NGINX_STATE_DIR"
  mkdir -p "$NGINX_STATE_DIR"/{conf.d,snippets,upstreams} "$NGINX_LOG_DIR"
  mkdir -p "$NGINX_WORKER_DIR"/tmp/{client_body,proxy,fastcgi,uwsgi,scgi}
  if [[ -n "$NGINX_WORKER_USER" ]]; then
    chown -R "$NGINX_WORKER_USER:$NGINX_WORKER_GROUP" "$NGINX_WORKER_DIR/tmp"
  fi

  local rendered_vars=(
    NGINX_USER_DIRECTIVE="${NGINX_WORKER_USER:+user $NGINX_WORKER_USER $NGINX_WORKER_GROUP;}"
    NGINX_STATE_DIR="$NGINX_STATE_DIR"
    NGINX_WORKER_DIR="$NGINX_WORKER_DIR"
    NGINX_LOG_DIR="$NGINX_LOG_DIR"
    NGINX_CERT_DIR="$CERT_DIR"
    NGINX_HTPASSWD_FILE="$NGINX_HTPASSWD_FILE"
    STUB_STATUS_LISTEN="127.0.0.1:$STUB_STATUS_PORT"
  )
  local template target
  env "${rendered_vars[@]}" envsubst "$NGINX_TEMPLATE_VARS" \
    <"$NGINX_TEMPLATE_DIR/nginx.conf.template" >"$NGINX_CONF"
  rm -f "$NGINX_STATE_DIR"/conf.d/*.conf
  for template in "$NGINX_TEMPLATE_DIR"/templates/*.conf.template; do
    target="$NGINX_STATE_DIR/conf.d/$(basename "${template%.template}")"
    env "${rendered_vars[@]}" envsubst "$NGINX_TEMPLATE_VARS" <"$template" >"$target"
  done
  cp "$NGINX_TEMPLATE_DIR"/snippets/*.conf "$NGINX_STATE_DIR/snippets/"
  nginx_write_upstreams
  ok "nginx configuration rendered: $NGINX_CONF"
}

# The server lists of the two upstreams; containers supply their own (service names).
nginx_write_upstreams() {
  local name port variant
  : >"$NGINX_STATE_DIR/upstreams/api-v1.conf"
  : >"$NGINX_STATE_DIR/upstreams/api-v2.conf"
  while read -r name port variant; do
    echo "server 127.0.0.1:$port max_fails=2 fail_timeout=10s;  # $name" \
      >>"$NGINX_STATE_DIR/upstreams/api-$variant.conf"
  done < <(api_instances)
}

nginx_cmd() {
  nginx -p "$NGINX_STATE_DIR" -e "$NGINX_LOG_DIR/error.log" -c "$NGINX_CONF" "$@"
}

nginx_check() {
  step "Checking the nginx configuration (nginx -t)"
  if ! nginx_cmd -t -q 2>"$NGINX_LOG_DIR/config-test.log"; then
    cat "$NGINX_LOG_DIR/config-test.log" >&2
    die "nginx rejected $NGINX_CONF (see above; sources in nginx/)"
  fi
  ok "nginx configuration is valid"
}

nginx_pid() {
  local pid
  [[ -s "$NGINX_PID_FILE" ]] || return 1
  pid="$(<"$NGINX_PID_FILE")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

nginx_start() {
  local pid
  if pid="$(nginx_pid)"; then
    # Running already: apply the freshly rendered configuration without dropping connections.
    nginx_cmd -s reload
    ok "nginx already running (pid $pid); configuration reloaded"
    return
  fi
  step "Starting nginx on :$GATEWAY_HTTP_PORT (redirect) and :$GATEWAY_HTTPS_PORT (TLS)"
  nginx_free_ports
  nginx_cmd || die "nginx did not start; see $NGINX_LOG_DIR/error.log"
  ok "nginx started (pid $(<"$NGINX_PID_FILE"))"
}

# Debian's packaged nginx starts a default site on :80; it would block ours.
nginx_free_ports() {
  local port
  for port in "$GATEWAY_HTTP_PORT" "$GATEWAY_HTTPS_PORT" "$STUB_STATUS_PORT"; do
    if port_is_free "$port"; then
      continue
    fi
    if [[ -s /run/nginx.pid ]] && kill -0 "$(</run/nginx.pid)" 2>/dev/null; then
      warn "the system nginx service holds port $port; stopping it (our gateway replaces it)"
      if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
        systemctl stop nginx
      elif command -v service >/dev/null; then
        service nginx stop >/dev/null || true
      fi
      if port_in_use "$port" && [[ -s /run/nginx.pid ]]; then
        /usr/sbin/nginx -s quit 2>/dev/null || true
      fi
      wait_until 10 "port $port to be free" port_is_free "$port" \
        || die "port $port is still in use by the system nginx"
    else
      die "port $port is in use by another program: $(port_owner "$port"). Free it or set the matching *_PORT variable."
    fi
  done
}

nginx_wait_ready() {
  wait_until "$READY_TIMEOUT" "nginx to answer on https://localhost:$GATEWAY_HTTPS_PORT/gateway-health" \
    curl -fsS -o /dev/null --max-time 2 --cacert "$CERT_DIR/gateway.crt" \
    "https://localhost:$GATEWAY_HTTPS_PORT/gateway-health" \
    || die "nginx does not answer over TLS; see $NGINX_LOG_DIR/error.log"
  ok "nginx ready: https://localhost:$GATEWAY_HTTPS_PORT"
}

nginx_stop() {
  local pid
  if ! pid="$(nginx_pid)"; then
    ok "nginx is not running"
    rm -f "$NGINX_PID_FILE"
    return
  fi
  step "Stopping nginx (pid $pid)"
  # Graceful first: in-flight requests finish; then insist.
  kill -QUIT "$pid" 2>/dev/null || true
  if ! wait_until 15 "nginx to exit" process_gone "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_until 5 "nginx to exit" process_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$NGINX_PID_FILE"
  ok "nginx stopped"
}

nginx_status_rows() {
  local pid
  pid="$(nginx_pid)" || pid="-"
  status_row nginx "$pid" "$GATEWAY_HTTP_PORT,$GATEWAY_HTTPS_PORT" \
    curl -fsS -o /dev/null --max-time 2 --cacert "$CERT_DIR/gateway.crt" "https://localhost:$GATEWAY_HTTPS_PORT/gateway-health"
  status_row nginx-stub-status "$pid" "$STUB_STATUS_PORT" \
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$STUB_STATUS_PORT/nginx_status"
}
