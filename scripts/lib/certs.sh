# Secrets of the native stack, generated on first start into state/ and never committed:
# the gateway's self-signed TLS certificate and the htpasswd file of its basic auth.
# Needs config.sh and the log helpers of stack.sh (step, ok, warn, die).

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
certs_write_htpasswd() {
  local file="$NGINX_STATE_DIR/htpasswd"
  mkdir -p "$NGINX_STATE_DIR"
  (umask 077 && htpasswd -B -i -c "$file" "$GATEWAY_USER" <<<"$GATEWAY_PASSWORD" 2>/dev/null) \
    || die "htpasswd could not write $file"
  if [[ -n "${NGINX_WORKER_GROUP:-}" ]]; then
    chgrp "$NGINX_WORKER_GROUP" "$file"
    chmod 640 "$file"
  fi
  ok "Basic auth user '$GATEWAY_USER' written to $file"
  if [[ "$GATEWAY_PASSWORD" == "admin" ]]; then
    warn "GATEWAY_PASSWORD is the default 'admin': set GATEWAY_USER/GATEWAY_PASSWORD for anything but a local trial"
  fi
}
