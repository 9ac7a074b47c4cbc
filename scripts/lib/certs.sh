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
# HTPASSWD_SCHEME picks the hash nginx checks on every request: ssha (default; salted SHA-1,
# microseconds) or bcrypt (deliberately slow, milliseconds of CPU per request). docs/security.md#basic-auth-and-its-cost.
certs_write_htpasswd() {
  local file="$NGINX_HTPASSWD_FILE" hash
  mkdir -p "$(dirname "$file")"
  case "$HTPASSWD_SCHEME" in
    ssha) hash="$(certs_ssha_hash)" && (umask 077 && printf '%s:%s\n' "$GATEWAY_USER" "$hash" >"$file") ;;
    bcrypt) (umask 077 && htpasswd -B -i -c "$file" "$GATEWAY_USER" <<<"$GATEWAY_PASSWORD" 2>/dev/null) ;;
    *) die "HTPASSWD_SCHEME must be ssha or bcrypt, not '$HTPASSWD_SCHEME'" ;;
  esac || die "could not write $file"
  if [[ -n "${NGINX_WORKER_GROUP:-}" ]]; then
    chgrp "$NGINX_WORKER_GROUP" "$file"
    chmod 640 "$file"
  fi
  ok "Basic auth user '$GATEWAY_USER' written to $file ($HTPASSWD_SCHEME)"
  if [[ "$GATEWAY_PASSWORD" == "admin" ]]; then
    warn "GATEWAY_PASSWORD is the default 'admin': set GATEWAY_USER/GATEWAY_PASSWORD for anything but a local trial"
  fi
}

# {SSHA}: base64(SHA-1(password + salt) + salt) with a random 16-byte salt, as nginx's auth_basic
# reads it. The salt is binary, so it travels through a file, never a shell variable; the password
# goes through printf (a builtin), never a command line.
certs_ssha_hash() {
  local salt
  salt="$(mktemp)"
  openssl rand 16 >"$salt" || { rm -f "$salt"; return 1; }
  printf '{SSHA}%s' "$({ { printf '%s' "$GATEWAY_PASSWORD"; cat "$salt"; } | openssl dgst -sha1 -binary; cat "$salt"; } \
    | openssl base64 -A)"
  rm -f "$salt"
}
