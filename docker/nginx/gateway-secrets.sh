#!/bin/sh
# Runs from the gateway's entrypoint.sh before nginx starts (Compose: GATEWAY_SECRETS_DIR is set):
# a self-signed certificate on first start (kept in a volume, SAN localhost and 127.0.0.1, key mode
# 600) and the htpasswd file from GATEWAY_USER and the password on every start. Neither is in the
# image or the repo. The password is a Compose secret (GATEWAY_PASSWORD_FILE, default
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

# SHA-512 crypt ($6$, 1,000 rounds), as the native stack and make k8s-secrets write it: Nginx checks
# it on every request in a third of a millisecond, where a slow hash would cap the gateway
# (docs/security.md#basic-auth-and-its-cost). The password reaches htpasswd on its standard input,
# never a command line.
printf '%s' "$password" | htpasswd -n -i -5 -r 1000 "$user" | sed '/^$/d' >"$dir/htpasswd.new"
case "$(cat "$dir/htpasswd.new")" in
  "$user:\$6\$"*) ;;
  *)
    echo "gateway-secrets: htpasswd could not hash the password for $user" >&2
    exit 1
    ;;
esac
mv "$dir/htpasswd.new" "$dir/htpasswd"

if [ "$password" = admin ]; then
  echo "gateway-secrets: WARNING: the gateway uses the default password; set GATEWAY_PASSWORD" >&2
fi
