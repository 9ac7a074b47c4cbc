# shellcheck shell=bash
# Secrets of the native stack, generated on first start into state/ and never committed:
# the gateway's self-signed TLS certificate and the htpasswd file of its basic auth.
# Needs settings.sh, progress.sh and nginx.sh (where the workers read the htpasswd file).

# Self-signed certificate for localhost and 127.0.0.1; kept across restarts so clients that
# trust it (curl --cacert, the tests) keep working. Delete state/certs to get a new one.
certs_ensure_gateway_certificate() {
  local crt="$CERT_DIR/gateway.crt" key="$CERT_DIR/gateway.key"
  if [[ -s "$crt" && -s "$key" ]]; then
    ok "TLS certificate exists: $crt"
    return
  fi
  step "Generating the gateway's self-signed TLS certificate"
  mkdir -p "$CERT_DIR"
  chmod 700 "$CERT_DIR"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "keyUsage=critical,digitalSignature" \
    -addext "extendedKeyUsage=serverAuth" \
    -keyout "$key" -out "$crt" 2>"$LOG_DIR/openssl.log") \
    || die "openssl could not create the certificate; see $LOG_DIR/openssl.log"
  chmod 600 "$key"
  chmod 644 "$crt"
  ok "TLS certificate: $crt (key $key, mode 600)"
}

# The basic-auth file, rewritten at every start so a changed GATEWAY_PASSWORD takes effect.
# nginx's worker processes read it on every request, so their group may read it.
# HTPASSWD_SCHEME picks the hash (certs_htpasswd_entry below; docs/security.md#basic-auth-and-its-cost).
certs_write_htpasswd() {
  local file="$NGINX_HTPASSWD_FILE"
  mkdir -p "$(dirname "$file")"
  { (umask 077 && certs_htpasswd_entry "$GATEWAY_USER" "$GATEWAY_PASSWORD" "$HTPASSWD_SCHEME" >"$file.new") \
    && mv -f "$file.new" "$file"; } || die "could not write $file"
  if [[ -n "${NGINX_WORKER_GROUP:-}" ]]; then
    chgrp "$NGINX_WORKER_GROUP" "$file"
    chmod 640 "$file"
  fi
  ok "Basic auth user '$GATEWAY_USER' written to $file ($HTPASSWD_SCHEME)"
  if [[ "$GATEWAY_PASSWORD" == "$CHECKS_DEFAULT_PASSWORD" ]]; then
    warn "GATEWAY_PASSWORD is the default '$CHECKS_DEFAULT_PASSWORD': set GATEWAY_USER/GATEWAY_PASSWORD for anything but a local trial"
  fi
}

# certs_htpasswd_entry USER PASSWORD SCHEME: one "user:hash" line. Nginx hands every hash but its own
# few ({SSHA}, $apr1$) to the C library's crypt(), so these are the schemes both Debian's (glibc,
# libxcrypt) and Alpine's (musl) Nginx verify:
#   sha512  SHA-512 crypt ($6$, 1,000 rounds, 16-character salt): 0.33 ms of CPU per check here
#   bcrypt  bcrypt ($2y$, cost 5): 1.9 ms per check, which caps a 2-core gateway near 1,000 requests/s
# Nginx checks the hash on every request, so its cost is paid at every request of every client
# (docs/security.md has the measurements and the reasoning). The password reaches htpasswd on its
# standard input (-i), never on a command line.
certs_htpasswd_entry() {
  local user="$1" password="$2" scheme="$3" options
  case "$scheme" in
    sha512) options=(-5 -r 1000) ;;
    bcrypt) options=(-B -C 5) ;;
    *)
      echo "unknown htpasswd scheme '$scheme' (sha512 or bcrypt)" >&2
      return 1
      ;;
  esac
  printf '%s' "$password" | htpasswd -n -i "${options[@]}" "$user" | sed '/^$/d'
}
