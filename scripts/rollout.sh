#!/usr/bin/env bash
# Zero-downtime rollout of a new API WAR (e.g. a retrained model) to the running v1 servers, one
# at a time: drain (`server pause`: the server stops accepting; nginx retries its requests on the
# others), stop (supervisorctl stop: in-flight requests finish), deploy, start (supervisorctl
# start), wait ready and check the served model version, wait until nginx sends it traffic again;
# then the next server. nginx itself is never reloaded, so no client connection is closed.
# Usage: scripts/rollout.sh   (WAR=path/to/ml-api-v1.war deploys another build than ml-api-war/target's)
# Settings: stack.env and the environment, as for scripts/stack.sh; the stack must be running.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress wars liberty nginx gateway supervisor; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

ROLLOUT_LOG="$LOG_DIR/rollout.log"
# nginx tries a server that failed again after fail_timeout (10 s); this leaves room for a slow machine.
BACK_IN_POOL_TIMEOUT=60

# Every step also goes to the rollout log, with a timestamp and the version being deployed.
log() {
  printf '%s %s\n' "$(date -u +%FT%TZ)" "$*" >>"$ROLLOUT_LOG"
  step "$*"
}

# The version a server answers with, from a prediction sent to it directly.
served_model_version() {
  curl -fsS -o /dev/null -D - --max-time 10 -H 'Content-Type: application/json' \
    -d '{"sentence": "rollout check"}' "http://127.0.0.1:$1/predict" \
    | tr -d '\r' | sed -n 's/^[Xx]-[Mm]odel-[Vv]ersion: *//p'
}

# How many client predictions a server has answered (predictions_total over its labels), from its own
# /metrics on loopback; 0 when it does not answer.
server_predictions() {
  local metrics
  metrics="$(curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics")" || metrics=""
  awk '/^predictions_total[{ ]/ { n += $NF } END { printf "%d\n", n }' <<<"$metrics"
}

# One prediction through the gateway (credentials on curl's standard input, never its command line).
gateway_predict() {
  gateway_curl -sS -o /dev/null --max-time 10 --cacert "$CERT_DIR/gateway.crt" \
    -H 'Content-Type: application/json' -d '{"sentence": "rollout check"}' "https://127.0.0.1:$GATEWAY_HTTPS_PORT/predict"
}

# Sends predictions through the gateway until the server's own count grows: nginx sends it traffic again.
wait_for_gateway_traffic() {
  local name="$1" port="$2" before deadline=$((SECONDS + BACK_IN_POOL_TIMEOUT))
  before="$(server_predictions "$port")"
  until (($(server_predictions "$port") > before)); do
    ((SECONDS < deadline)) || die "nginx sent $name no request within ${BACK_IN_POOL_TIMEOUT}s; see $NGINX_LOG_DIR/error.log"
    gateway_predict || true
    sleep 0.2
  done
}

main() {
  mkdir -p "$LOG_DIR"
  local war="${WAR:-}"
  if [[ -z "$war" ]]; then
    wars_build_if_stale
    war="$WAR_DIR/ml-api-v1.war"
  fi
  [[ -f "$war" ]] || die "no WAR at $war"
  war="$(cd "$(dirname "$war")" && pwd)/$(basename "$war")"
  local version
  version="$(wars_model_version "$war")" || die "$war is not a WAR of this API with a consistent model card"

  supervisor_require_stack
  local name port
  while read -r name port _; do
    # A busy server may take a few seconds to answer its health check: a slow answer is not "down".
    wait_until 30 "$name to answer /health/ready" liberty_server_ready "$port" \
      || die "$name is not ready; a rollout needs every v1 server up (make start-project)"
  done < <(v1_instances)

  log "Rolling out model $version ($war) to the v1 servers, one at a time"
  local started=$SECONDS server_started served
  while read -r name port _; do
    server_started=$SECONDS
    if cmp -s "$war" "$LIBERTY_SERVERS_DIR/$name/apps/ml-api-v1.war" && [[ "$(served_model_version "$port" || true)" == "$version" ]]; then
      log "$name already runs model $version; skipped"
      continue
    fi
    log "$name: draining (was model $(served_model_version "$port" || echo unknown)); nginx sends its requests to the others"
    liberty_pause_server "$name" "$port"
    log "$name: stopping (requests in flight finish first)"
    supervisor_ctl stop "$name" >/dev/null || die "supervisorctl stop $name failed; see $(program_log "$name")"
    log "$name: deploying model $version"
    liberty_deploy_war "$name" "$war"
    log "$name: starting"
    supervisor_ctl start "$name" >/dev/null || die "supervisorctl start $name failed; see $(program_log "$name")"
    supervisor_wait_ready "$name" "$name to be ready (http://127.0.0.1:$port/health/ready)" liberty_server_ready "$port"
    served="$(served_model_version "$port" || true)"
    [[ "$served" == "$version" ]] || die "$name answers with model '$served', not $version"
    log "$name: ready with model $version; waiting for nginx to send it traffic again"
    wait_for_gateway_traffic "$name" "$port"
    log "$name: back in the pool with model $version after $((SECONDS - server_started)) s"
  done < <(v1_instances)
  log "Rollout of model $version finished in $((SECONDS - started)) s; log: $ROLLOUT_LOG"
}

# Sourced (a test calls gateway_predict), it only defines its functions.
[[ "${BASH_SOURCE[0]}" != "$0" ]] || main "$@"
