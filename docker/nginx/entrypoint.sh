#!/bin/sh
# Starts the gateway container: its secrets (Compose), the gateway token, the configuration rendered from the shared
# nginx/ templates, then nginx in the foreground, reloaded whenever the addresses behind its upstream
# names change.
#
# Why the reload: the upstream lists (upstreams/*.conf) name the API servers by DNS name (Docker's
# service names; on Kubernetes the headless Services, through the pod's DNS search list), and
# nginx 1.22, Debian's, resolves such a name only when it reads its configuration; re-resolving in
# `server ... resolve` needs nginx 1.27.3. A replica that is replaced, scaled or restarted with
# another address would otherwise never get traffic (and a gone one would cost every tenth request a
# connect timeout). Every UPSTREAM_RESOLVE_SECONDS this looks the names up as nginx does
# (getaddrinfo) and, when the answer changed, reloads: graceful, kept-alive upstream connections,
# passive health checks and retries stay as they are.
#
# Settings: every ${NAME} the templates in /etc/nginx/templates use must be set (a missing one stops
# the start and is named); GATEWAY_SECRETS_DIR set = make the certificate and htpasswd there.
set -eu

templates=/etc/nginx/templates
rendered=/etc/nginx/conf.d
interval="${UPSTREAM_RESOLVE_SECONDS:-5}"

log() { printf 'gateway: %s\n' "$*" >&2; }

if [ -n "${GATEWAY_SECRETS_DIR:-}" ]; then
  /usr/local/lib/gateway/gateway-secrets.sh
fi

# The gateway token (a Compose secret; on Kubernetes the Secret gateway-token), which the API servers
# also get, becomes the X-Gateway-Token header of every forwarded request: snippets/proxy.conf
# includes /etc/nginx/gateway-token.d/*.conf, which the image links under the writable conf.d/.
# Only servers with the same token take X-Request-ID and X-Shadow from the gateway
# (docs/security.md#what-the-servers-receive).
token_file="${GATEWAY_TOKEN_FILE:-/run/secrets/gateway_token}"
token_dir="${GATEWAY_TOKEN_CONF_DIR:-/etc/nginx/conf.d/gateway-token.d}"
if [ -s "$token_file" ]; then
  token="$(cat "$token_file")"
  case "$token" in
    *[!A-Za-z0-9]*)
      log "the gateway token in $token_file must be letters and digits only" && exit 1
      ;;
  esac
  mkdir -p "$token_dir"
  (umask 077 && printf '# From %s (entrypoint.sh).\nproxy_set_header X-Gateway-Token "%s";\n' "$token_file" "$token" >"$token_dir/token.conf")
else
  log "no gateway token in $token_file: the API servers will take no X-Request-ID from the gateway"
fi

# envsubst replaces only the upper-case ${NAME}s the templates name, never an nginx $variable.
# shellcheck disable=SC2016 # the pattern is literal text
names="$(find "$templates" -name '*.template' -exec cat {} + | grep -o '\${[A-Z_][A-Z0-9_]*}' | sort -u | tr '\n' ' ')"
for name in $names; do
  name="${name#??}" && name="${name%?}"
  if ! eval "[ -n \"\${$name+set}\" ]"; then
    log "the setting $name, which the templates use, is not set" && exit 1
  fi
done
rm -f "$rendered"/*.conf
for template in "$templates"/*.template; do
  file="$(basename "$template" .template)"
  envsubst "$names" <"$template" >"$rendered/$file"
done
# Upstream lists with settings of their own (the Kubernetes gateway's candidate Service and mirror
# share: kubernetes/gateway/Dockerfile) are rendered beside them, where /etc/nginx/upstreams points.
if [ -d "$templates/upstreams" ]; then
  mkdir -p "$rendered/upstreams"
  rm -f "$rendered/upstreams"/*.conf
  for template in "$templates"/upstreams/*.template; do
    file="$(basename "$template" .template)"
    envsubst "$names" <"$template" >"$rendered/upstreams/$file"
  done
fi

# The addresses of every host an upstream list names, one line each, as nginx would resolve them.
upstream_addresses() {
  sed -n 's/^[[:space:]]*server[[:space:]][[:space:]]*\([^:[:space:];]*\).*/\1/p' /etc/nginx/upstreams/*.conf | sort -u \
    | while read -r host; do
      printf '%s %s\n' "$host" "$(getent ahostsv4 "$host" | awk '{ print $1 }' | sort -u | tr '\n' ' ')"
    done
}

nginx -t -q
seen="$(upstream_addresses)"
# In the background, for as long as the container runs; $$ is this shell's pid, which nginx takes
# over below (exec), so nginx is the container's main process with its own signal handling
# (SIGQUIT, the image's STOPSIGNAL: graceful stop; SIGHUP: reload).
while sleep "$interval"; do
  now="$(upstream_addresses)"
  if [ "$now" != "$seen" ] && nginx -t -q 2>/dev/null; then
    log "upstream addresses changed, reloading: $(echo "$now" | tr '\n' ';')"
    kill -HUP $$
    seen="$now"
  fi
done &
exec nginx -g 'daemon off;'
