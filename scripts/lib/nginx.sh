# shellcheck shell=bash
# The native gateway: renders nginx/ templates into state/nginx and checks them; supervisord runs
# the one nginx instance of this stack (in the foreground, scripts/lib/supervisor.sh).
# Needs settings.sh and progress.sh.

NGINX_TEMPLATE_DIR="$PROJECT_ROOT/nginx"
NGINX_CONF="$NGINX_STATE_DIR/nginx.conf"
# Values the templates use besides the settings of stack.env: where this instance keeps its files.
NGINX_RENDER_VARS=(NGINX_USER_DIRECTIVE NGINX_STATE_DIR NGINX_WORKER_DIR NGINX_LOG_DIR NGINX_CERT_DIR
  NGINX_HTPASSWD_FILE STUB_STATUS_LISTEN)

# Root starts the master; the workers then run unprivileged.
NGINX_WORKER_USER="" NGINX_WORKER_GROUP=""
if ((EUID == 0)) && id www-data >/dev/null 2>&1; then
  NGINX_WORKER_USER=www-data NGINX_WORKER_GROUP=www-data
fi

# The workers read the htpasswd file and write temporary files: both stay in the state folder
# unless the unprivileged workers cannot reach it (a checkout under /root, or in a mktemp -d folder,
# mode 700); then they go to a folder of this stack's own under /run, named after its state folder.
# Asked of the state folder, or before its first start of the folder it will be made in: every
# script that sources this must reach the same answer (make canary writes where nginx serves).
NGINX_WORKER_DIR="$NGINX_STATE_DIR"
_reached="$STATE_DIR"
while [[ ! -e "$_reached" && "$_reached" != / ]]; do _reached="$(dirname "$_reached")"; done
if [[ -n "$NGINX_WORKER_USER" ]] && ! runuser -u "$NGINX_WORKER_USER" -- test -x "$_reached" 2>/dev/null; then
  NGINX_WORKER_DIR="/run/ml-gateway/$(printf '%s' "$NGINX_STATE_DIR" | sha256sum | cut -c1-12)"
fi
unset _reached
NGINX_HTPASSWD_FILE="$NGINX_WORKER_DIR/htpasswd"

# The workers also reopen nginx's log files by their path when the log rotation sends USR1
# (scripts/lib/logs.sh), so those live where the workers can reach them: state/logs/nginx, or, when
# the state folder is out of their reach (as above), a folder of this stack's own under /var/log,
# named the same way, to which state/logs/nginx links.
NGINX_LOG_LINK="$LOG_DIR/nginx"
NGINX_LOG_DIR="$NGINX_LOG_LINK"
if [[ "$NGINX_WORKER_DIR" != "$NGINX_STATE_DIR" ]]; then
  NGINX_LOG_DIR="/var/log/ml-gateway/$(printf '%s' "$NGINX_STATE_DIR" | sha256sum | cut -c1-12)"
fi

# The folders nginx writes to; the ones under /run and /var/log only root may create, so no one
# plants them first.
nginx_make_dirs() {
  mkdir -p "$NGINX_STATE_DIR"/{conf.d,snippets,upstreams} "$NGINX_LOG_DIR" "$NGINX_WORKER_DIR"/tmp/{client_body,proxy,fastcgi,uwsgi,scgi}
  if [[ "$NGINX_LOG_DIR" != "$NGINX_LOG_LINK" ]]; then
    # The logs an earlier start left in state/logs/nginx move over, then it becomes the link.
    if [[ -d "$NGINX_LOG_LINK" && ! -L "$NGINX_LOG_LINK" ]]; then
      find "$NGINX_LOG_LINK" -maxdepth 1 -type f -exec mv -f -t "$NGINX_LOG_DIR" {} +
      rmdir "$NGINX_LOG_LINK"
    fi
    ln -sfn "$NGINX_LOG_DIR" "$NGINX_LOG_LINK"
  fi
  if [[ -n "$NGINX_WORKER_USER" ]]; then
    chgrp "$NGINX_WORKER_GROUP" "$NGINX_WORKER_DIR" "$NGINX_LOG_DIR"
    chmod 750 "$NGINX_WORKER_DIR" "$NGINX_LOG_DIR"
    # Outside the state folder, the workers pass through /run/ml-gateway and /var/log/ml-gateway
    # (traverse only: 711, whatever the umask made them): they read the htpasswd file per request
    # and reopen their logs after a rotation (USR1).
    if [[ "$NGINX_WORKER_DIR" != "$NGINX_STATE_DIR" ]]; then
      chmod 711 "$(dirname "$NGINX_WORKER_DIR")" "$(dirname "$NGINX_LOG_DIR")"
    fi
    chown -R "$NGINX_WORKER_USER:$NGINX_WORKER_GROUP" "$NGINX_WORKER_DIR/tmp"
    # In the state folder, the workers pass through it (traverse only: 710, whatever the umask made
    # it) and through state/logs to reach their logs.
    if [[ "$NGINX_WORKER_DIR" == "$NGINX_STATE_DIR" ]]; then
      chgrp "$NGINX_WORKER_GROUP" "$STATE_DIR" && chmod 710 "$STATE_DIR"
    fi
    [[ "$NGINX_LOG_DIR" == "$NGINX_LOG_LINK" ]] && chgrp "$NGINX_WORKER_GROUP" "$LOG_DIR" && chmod 750 "$LOG_DIR"
  fi
  return 0
}

# Renders one template: every setting of stack.env but the passwords, and the render-only paths, are
# substituted; nginx's own $variables are left alone (envsubst replaces only the names it is given).
# The values travel in envsubst's environment, never on a command line.
nginx_render_file() {
  local names
  # shellcheck disable=SC2016,SC2046 # envsubst's own ${NAME}, literally; one word per key
  names="$(printf '${%s} ' $(settings_keys | grep -v PASSWORD) "${NGINX_RENDER_VARS[@]}")"
  (
    # shellcheck disable=SC2046 # one word per key
    export $(settings_keys | grep -v PASSWORD)
    export NGINX_USER_DIRECTIVE="${NGINX_WORKER_USER:+user $NGINX_WORKER_USER $NGINX_WORKER_GROUP;}" \
      NGINX_STATE_DIR NGINX_WORKER_DIR NGINX_LOG_DIR NGINX_CERT_DIR="$CERT_DIR" NGINX_HTPASSWD_FILE \
      STUB_STATUS_LISTEN="127.0.0.1:$STUB_STATUS_PORT"
    envsubst "$names" < <(nginx_quote_paths <"$1") >"$2"
  )
}

# The paths of this instance may hold spaces (a checkout in "My Projects"): every path a template
# names unquoted (${NGINX_STATE_DIR}/nginx.pid) is put in double quotes before it is filled in, so
# nginx reads it as one word. A path a template already quotes is left as it is.
NGINX_PATH_VARS='NGINX_STATE_DIR|NGINX_WORKER_DIR|NGINX_LOG_DIR|NGINX_CERT_DIR|NGINX_HTPASSWD_FILE'
nginx_quote_paths() {
  sed -E 's/(^|[[:space:]])(\$\{('"$NGINX_PATH_VARS"')\}[^[:space:];"]*)/\1"\2"/g'
}

nginx_render() {
  step "Rendering the nginx configuration into $NGINX_STATE_DIR"
  nginx_make_dirs
  local template
  nginx_render_file "$NGINX_TEMPLATE_DIR/nginx.conf.template" "$NGINX_CONF"
  rm -f "$NGINX_STATE_DIR"/conf.d/*.conf
  for template in "$NGINX_TEMPLATE_DIR"/templates/*.conf.template; do
    nginx_render_file "$template" "$NGINX_STATE_DIR/conf.d/$(basename "${template%.template}")"
  done
  cp "$NGINX_TEMPLATE_DIR"/snippets/*.conf "$NGINX_STATE_DIR/snippets/"
  nginx_write_gateway_token
  nginx_write_upstreams
  nginx_write_delivery "$SHADOW_PERCENT" "$CANARY_PERCENT"
  printf '%s\n' "$GATEWAY_BIND" >"$NGINX_STATE_DIR/gateway-bind"
  ok "nginx configuration rendered: $NGINX_CONF (gateway on $GATEWAY_BIND)"
}

# The address the last rendered configuration listens on (empty before the first start).
nginx_rendered_bind() { cat "$NGINX_STATE_DIR/gateway-bind" 2>/dev/null || true; }

# The server lists of the upstreams; containers supply their own (service names). A server
# that failed twice is left out for 10 s, then tried again: a restarted server rejoins by itself.
# The candidate's pool has the v1 servers as backups: a request the candidate cannot take (not
# running, refusing, 502/503) is answered by the champion instead.
nginx_write_upstreams() {
  local name port variant
  : >"$NGINX_STATE_DIR/upstreams/api-v1.conf"
  : >"$NGINX_STATE_DIR/upstreams/api-v2.conf"
  echo "server 127.0.0.1:$CANDIDATE_PORT max_fails=2 fail_timeout=10s;  # api-candidate" \
    >"$NGINX_STATE_DIR/upstreams/api-candidate.conf"
  while read -r name port variant; do
    echo "server 127.0.0.1:$port max_fails=2 fail_timeout=10s;  # $name" \
      >>"$NGINX_STATE_DIR/upstreams/api-$variant.conf"
    if [[ "$variant" == v1 ]]; then
      echo "server 127.0.0.1:$port backup;  # $name" >>"$NGINX_STATE_DIR/upstreams/api-candidate.conf"
    fi
  done < <(api_instances)
}

# The gateway's token on every request it forwards (snippets/proxy.conf and shadow.conf include
# gateway-token.d/*.conf): the servers take X-Request-ID and X-Shadow only from requests that carry it
# (GatewayOrigin, docs/security.md). Generated once (settings_secret); readable by nginx's master only.
nginx_write_gateway_token() {
  local token
  token="$(settings_secret gateway-token)" || die "no gateway token"
  mkdir -p "$NGINX_STATE_DIR/gateway-token.d"
  (umask 077 && printf '# Generated by scripts/lib/nginx.sh from state/secrets/gateway-token.\nproxy_set_header X-Gateway-Token "%s";\n' \
    "$token" >"$NGINX_STATE_DIR/gateway-token.d/token.conf")
}

# The shadow and canary shares (docs/delivery.md#canary), as upstreams/delivery.conf:
#   $canary_side  candidate or champion: split_clients on X-Client-ID (else the client address) mixed
#                 with a secret generated at the stack's first start (state/secrets/canary-split-key),
#                 so one client stays on one side at a given share, raising the share only moves
#                 clients from the champion to the candidate (split_clients keeps the hash ranges),
#                 and no client can work out which IDs land on the candidate: the answer does not say
#                 (the gateway shows X-Served-By to the debug group only) and the hash needs the secret.
#   $shadow_on    1 for SHADOW_PERCENT of requests, picked per request ($request_id).
# split_clients refuses 0 %, so a share of 0 is a map with one value. The file holds the secret: mode 600.
#   https://nginx.org/en/docs/http/ngx_http_split_clients_module.html
nginx_write_delivery() (
  local shadow="$1" canary="$2" key canary_side shadow_on
  key="$(settings_secret canary-split-key)" || die "no canary split key"
  umask 077
  canary_side="map \$canary_key \$canary_side { default champion; }"
  ((canary == 0)) || canary_side="split_clients \"$key:\$canary_key\" \$canary_side { $canary% candidate; * champion; }"
  shadow_on="map \$request_id \$shadow_on { default 0; }"
  ((shadow == 0)) || shadow_on="split_clients \"\$request_id\" \$shadow_on { $shadow% 1; * 0; }"
  cat >"$NGINX_STATE_DIR/upstreams/delivery.conf.new" <<EOF
# Generated by scripts/lib/nginx.sh (make start-project, make traffic): shadow $shadow %, canary $canary %.
map \$http_x_client_id \$canary_key {
    ""      \$remote_addr;
    default \$http_x_client_id;
}
$canary_side
$shadow_on
EOF
  mv -f "$NGINX_STATE_DIR/upstreams/delivery.conf.new" "$NGINX_STATE_DIR/upstreams/delivery.conf"
)

# nginx with this instance's prefix, error log and configuration; the rest of the arguments follow.
nginx_run() { "$(command -v nginx)" -p "$NGINX_STATE_DIR" -e "$NGINX_LOG_DIR/error.log" -c "$NGINX_CONF" "$@"; }

# The same as one command line for a shell or supervisord (paths in double quotes; add -g 'daemon off;').
nginx_command() { printf '"%s" -p "%s" -e "%s" -c "%s"' "$(command -v nginx)" "$NGINX_STATE_DIR" "$NGINX_LOG_DIR/error.log" "$NGINX_CONF"; }

nginx_check() {
  step "Checking the nginx configuration (nginx -t)"
  if ! nginx_run -t -q 2>"$NGINX_LOG_DIR/config-test.log"; then
    cat "$NGINX_LOG_DIR/config-test.log" >&2
    die "nginx rejected $NGINX_CONF (see above; sources in nginx/)"
  fi
  ok "nginx configuration is valid"
}

nginx_ready() {
  curl -fsS -o /dev/null --max-time 2 --cacert "$CERT_DIR/gateway.crt" "https://localhost:$GATEWAY_HTTPS_PORT/gateway-health"
}
