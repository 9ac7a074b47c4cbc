#!/bin/sh
# Runs from the gateway's entrypoint.sh before nginx starts (Compose: GATEWAY_SECRETS_DIR is set):
# a self-signed certificate on first start (kept in a volume, SAN localhost and 127.0.0.1, key mode
# 600) and the htpasswd file from GATEWAY_USER and the password on every start. Neither is in the
# image or the repo. The gateway token (GATEWAY_TOKEN_FILE, default /run/secrets/gateway_token), which
# the API servers also get, becomes the X-Gateway-Token header of every forwarded request. The
# password is a Compose secret (GATEWAY_PASSWORD_FILE, default
# /run/secrets/gateway_password), never an environment variable: one in the environment is ignored.
# Everything runs as the user nginx, which alone reads what is written here (umask 077).
set -eu
umask 077

dir="${GATEWAY_SECRETS_DIR:-/etc/nginx/secrets}"
user="${GATEWAY_USER:-admin}"
password_file="${GATEWAY_PASSWORD_FILE:-/run/secrets/gateway_password}"
if [ ! -s "$password_file" ]; then
  echo "gateway-secrets: no password in $password_file: start with scripts/compose.sh, which writes the gateway_password secret from GATEWAY_PASSWORD" >&2
  exit 1
fi
password="$(cat "$password_file")"
mkdir -p "$dir"
chmod 700 "$dir"

if [ ! -s "$dir/gateway.crt" ] || [ ! -s "$dir/gateway.key" ]; then
  echo "gateway-secrets: generating a self-signed certificate in $dir"
  openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes \
    -keyout "$dir/gateway.key" -out "$dir/gateway.crt" \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
fi
chmod 600 "$dir/gateway.key"
chmod 644 "$dir/gateway.crt"

# {SSHA} (salted SHA-1), as the native stack's default: Nginx checks it on every request in
# microseconds, where a slow hash would cap the gateway (docs/security.md#basic-auth-and-its-cost). The binary salt goes
# through a file, the password through printf, never a command line.
salt="$(mktemp)"
openssl rand 16 >"$salt"
hash="{SSHA}$({
  {
    printf '%s' "$password"
    cat "$salt"
  } | openssl dgst -sha1 -binary
  cat "$salt"
} | openssl base64 -A)"
rm -f "$salt"
printf '%s:%s\n' "$user" "$hash" >"$dir/htpasswd.new"
mv "$dir/htpasswd.new" "$dir/htpasswd"

# snippets/proxy.conf includes /etc/nginx/gateway-token.d/*.conf, which the image links to here (the
# root file system is read-only). Only the servers that got the same token take X-Request-ID and
# X-Shadow from the gateway (docs/security.md#what-the-servers-receive).
token_file="${GATEWAY_TOKEN_FILE:-/run/secrets/gateway_token}"
token_dir="${GATEWAY_TOKEN_CONF_DIR:-/etc/nginx/conf.d/gateway-token.d}"
if [ -s "$token_file" ]; then
  token="$(cat "$token_file")"
  case "$token" in
    *[!A-Za-z0-9]*)
      echo "gateway-secrets: the gateway token in $token_file must be letters and digits only" >&2
      exit 1
      ;;
  esac
  mkdir -p "$token_dir"
  printf '# From %s (gateway-secrets.sh).\nproxy_set_header X-Gateway-Token "%s";\n' "$token_file" "$token" >"$token_dir/token.conf"
else
  echo "gateway-secrets: no gateway token in $token_file: the API servers will take no X-Request-ID from the gateway" >&2
fi

if [ "$password" = admin ]; then
  echo "gateway-secrets: WARNING: the gateway uses the default password; set GATEWAY_PASSWORD" >&2
fi
