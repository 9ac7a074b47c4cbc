#!/usr/bin/env bash
# The inputs of kubernetes/ that are generated and never committed (.gitignore):
#   scripts/k8s-inputs.sh secrets   the gateway's TLS certificate and key (self-signed for K8S_HOST),
#                                   its htpasswd and the gateway token; existing files are kept. The production
#                                   overlays' certificate only when given (K8S_TLS_CERT, K8S_TLS_KEY)
#                                   or asked for (K8S_SELF_SIGNED=true)
#   scripts/k8s-inputs.sh rules     one PrometheusRule per prometheus/rules/*.yml, the file as its spec,
#                                   and the AlertmanagerConfig of the alert settings (ALERT_*: stack.env,
#                                   where the environment wins; none by default)
#   scripts/k8s-inputs.sh analysis  the Argo Rollouts objects made from the delivery analysis
#                                   (CANARY_ANALYSIS, default delivery/canary.yaml)
# K8S_DIR (default kubernetes) says where they go, so the offline tests can use a copy of the folder.
# GATEWAY_USER and K8S_HOST are checked as the native settings are (a user name; a DNS name), and a
# GATEWAY_PASSWORD given must be fit for a gateway on the network: nothing is written otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Not settings.sh, but for the alert settings (rules): stack.env's defaults (the password admin) are
# the laptop's, not a cluster's.
LOG_DIR="${LOG_DIR:-$PWD/state/logs}"
for lib in progress checks certs packages analysis; do
  # shellcheck source=/dev/null
  source "scripts/lib/$lib.sh"
done

K8S_DIR="${K8S_DIR:-kubernetes}"
K8S_HOST="${K8S_HOST:-localhost}"
K8S_RULES="${K8S_RULES:-prometheus/rules}"
CANARY_ANALYSIS="${CANARY_ANALYSIS:-delivery/canary.yaml}"

# The values that reach `openssl -subj`, the certificate's subjectAltName and the htpasswd file.
check_inputs() {
  local user="$1" problems=() weakness
  checks_is_name "$user" \
    || problems+=("GATEWAY_USER=$(printf '%q' "$user") is not a user name: use 1 to 64 of the characters A-Z a-z 0-9 . _ -")
  checks_is_host_name "$K8S_HOST" \
    || problems+=("K8S_HOST=$(printf '%q' "$K8S_HOST") is not a DNS host name: letters, digits, inner hyphens and dots, such as api.example.com")
  if [[ -n "${GATEWAY_PASSWORD:-}" ]]; then
    if [[ "$GATEWAY_PASSWORD" =~ [[:cntrl:]] ]]; then
      problems+=("GATEWAY_PASSWORD holds a newline or another control character")
    elif weakness="$(checks_password_weakness "$GATEWAY_PASSWORD" "$user")" && [[ -n "$weakness" ]]; then
      problems+=("GATEWAY_PASSWORD is too weak for a gateway on a cluster: $weakness; use at least $CHECKS_MIN_PASSWORD_LENGTH characters that are not a common password, or leave it empty to have one generated")
    fi
  fi
  refuse "invalid inputs for make k8s-secrets; nothing was written" "$(printf '%s\n' "${problems[@]}")"
}

# A cluster is not a laptop: without GATEWAY_PASSWORD, a random one is made and kept beside the
# htpasswd file (never the stack's default 'admin').
secrets() {
  local dir="$K8S_DIR/base/gateway/secrets" user="${GATEWAY_USER:-admin}"
  check_inputs "$user"
  umask 077
  mkdir -p "$dir"
  if [[ ! -s "$dir/tls.crt" || ! -s "$dir/tls.key" ]]; then
    openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes -keyout "$dir/tls.key" -out "$dir/tls.crt" \
      -subj "/CN=$K8S_HOST" -addext "subjectAltName=DNS:$K8S_HOST" 2>/dev/null || die "openssl could not make the certificate"
    ok "self-signed certificate for $K8S_HOST in $dir (or put your own tls.crt and tls.key there)"
  fi
  if [[ ! -s "$dir/htpasswd" ]]; then
    if [[ -z "${GATEWAY_PASSWORD:-}" ]]; then
      GATEWAY_PASSWORD="$(openssl rand -base64 18)"
      printf '%s\n' "$GATEWAY_PASSWORD" >"$dir/password"
      ok "generated a password for $user: $dir/password"
    fi
    certs_htpasswd_entry "$user" "$GATEWAY_PASSWORD" "${HTPASSWD_SCHEME:-sha512}" >"$dir/htpasswd.new" \
      || die "could not hash the password for $dir/htpasswd"
    mv -f "$dir/htpasswd.new" "$dir/htpasswd"
    ok "htpasswd for $user in $dir"
  fi
  # The gateway token (X-Gateway-Token, docs/security.md#what-the-servers-receive): one Secret that
  # the gateway and the API pods mount, as Compose's gateway_token secret.
  if [[ ! -s "$dir/gateway-token" ]]; then
    openssl rand -hex 16 | tr -d '\n' >"$dir/gateway-token"
    ok "gateway token in $dir"
  fi
  production_tls "$dir"
}

# The production overlays' TLS (components/production/tls): a certificate a client can trust. Given
# as K8S_TLS_CERT and K8S_TLS_KEY, it is checked (the key is its key; not self-signed; not for
# localhost only) and copied; K8S_SELF_SIGNED=true takes the self-signed one from SELF_SIGNED_DIR
# instead. Without either, existing files stay, or there are none and the production overlays do
# not render: a self-signed localhost certificate never reaches a cluster by accident.
production_tls() {
  local self_signed_dir="$1" dir="$K8S_DIR/components/production/tls" crt key refusals=""
  umask 077
  if [[ "${K8S_SELF_SIGNED:-false}" == true ]]; then
    mkdir -p "$dir"
    cp "$self_signed_dir/tls.crt" "$dir/tls.crt"
    cp "$self_signed_dir/tls.key" "$dir/tls.key"
    warn "production overlays: the self-signed certificate for $K8S_HOST, as asked (K8S_SELF_SIGNED=true); clients will not trust it"
    return
  fi
  if [[ -z "${K8S_TLS_CERT:-}${K8S_TLS_KEY:-}" ]]; then
    if [[ -s "$dir/tls.crt" && -s "$dir/tls.key" ]]; then
      ok "production overlays: keeping the certificate in $dir"
    else
      warn "production overlays: no certificate yet, so they do not render. Give yours:" \
        "make k8s-secrets K8S_TLS_CERT=cert.pem K8S_TLS_KEY=key.pem (or K8S_SELF_SIGNED=true for a test cluster)"
    fi
    return
  fi
  crt="${K8S_TLS_CERT:-}" key="${K8S_TLS_KEY:-}"
  [[ -s "$crt" && -s "$key" ]] || die "K8S_TLS_CERT and K8S_TLS_KEY must both name files (got '$crt', '$key')"
  openssl x509 -in "$crt" -noout 2>/dev/null || die "$crt is not a PEM certificate"
  [[ "$(openssl x509 -in "$crt" -noout -pubkey 2>/dev/null)" == "$(openssl pkey -in "$key" -pubout 2>/dev/null)" ]] \
    || refusals+=" the key $key is not the certificate's key;"
  if [[ "$(openssl x509 -in "$crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" == "$(openssl x509 -in "$crt" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" ]] \
    && openssl verify -CAfile "$crt" -partial_chain "$crt" >/dev/null 2>&1; then
    refusals+=" it is self-signed, so no client trusts it;"
  fi
  if ! openssl x509 -in "$crt" -noout -ext subjectAltName 2>/dev/null | grep -o 'DNS:[^,]*\|IP Address:[^,]*' \
    | grep -qv 'DNS:localhost$\|IP Address:127\.0\.0\.1$\|IP Address:0:0:0:0:0:0:0:1$'; then
    refusals+=" it names no host but localhost;"
  fi
  [[ -z "$refusals" ]] || die "refusing $crt for the production overlays:${refusals%;}. Use a certificate for your host, or K8S_SELF_SIGNED=true to use the self-signed one anyway."
  mkdir -p "$dir"
  cp "$crt" "$dir/tls.crt"
  cp "$key" "$dir/tls.key"
  ok "production overlays: certificate $crt ($(openssl x509 -in "$crt" -noout -subject -nameopt RFC2253)) in $dir"
}

rules() {
  local out="$K8S_DIR/base/monitoring/generated/prometheus-rules.yaml" file lib
  # The alert settings as the native stack reads them (stack.env, where the environment wins), and
  # its alerting_config, which alertmanager_config renders.
  for lib in settings alerting; do
    # shellcheck source=/dev/null
    source "scripts/lib/$lib.sh"
  done
  check_alert_settings
  mkdir -p "$(dirname "$out")"
  {
    echo "# Generated by scripts/k8s-inputs.sh rules from $K8S_RULES/*.yml: not committed, do not edit."
    for file in "$K8S_RULES"/*.yml; do
      printf -- '---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: ml-gateway-%s\nspec:\n' \
        "$(basename "$file" .yml)"
      sed 's/^/  /' "$file"
    done
  } >"$out.tmp"
  mv "$out.tmp" "$out"
  ok "PrometheusRules: $out"
  alertmanager_config
}

# The alert settings, checked as the native stack checks them, before anything is written. An SMTP
# login needs a Secret (authPassword), which is not made here: refused.
check_alert_settings() {
  local problems
  problems="$(settings_alerting_problems)"
  [[ -z "$ALERT_SMTP_USERNAME" ]] \
    || problems+="${problems:+$'\n'}ALERT_SMTP_USERNAME: an SMTP login on Kubernetes needs a Secret for authPassword; add it to the AlertmanagerConfig by a patch (docs/kubernetes.md#alerts)"
  refuse "invalid alert settings; nothing was written" "$problems"
}

# The Alertmanager object's receivers (kubernetes/base/monitoring/alertmanager.yaml): the native
# stack's route and receivers (alerting_config), in the operator's field names (group_wait: groupWait).
alertmanager_config() {
  local out="$K8S_DIR/base/monitoring/generated/alertmanager-config.yaml"
  packages_require jq:jq
  mkdir -p "$(dirname "$out")"
  {
    echo "# Generated by scripts/k8s-inputs.sh rules from the alert settings: not committed, do not edit."
    # JSON is YAML: jq quotes every value.
    alerting_config | jq '{apiVersion: "monitoring.coreos.com/v1alpha1", kind: "AlertmanagerConfig",
      metadata: {name: "ml-gateway", labels: {alertmanager: "ml-gateway"}},
      spec: walk(if type == "object" then with_entries(.key |= gsub("_(?<c>[a-z])"; .c | ascii_upcase)) else . end)}'
  } >"$out.tmp"
  mv "$out.tmp" "$out"
  ok "AlertmanagerConfig: $out (alerts go to $(alerting_receivers))"
}

# The Argo Rollouts objects of the delivery analysis, each in the folder that uses it (the tool's
# kubernetes command, delivery/src/main/java/org/mlgateway/delivery/ArgoObjects.java).
analysis() { delivery_analysis kubernetes "$CANARY_ANALYSIS" "$K8S_DIR"; }

case "${1:-}" in
  secrets | rules | analysis) "$1" ;;
  *)
    echo "usage: $0 secrets|rules|analysis" >&2
    exit 2
    ;;
esac
