#!/usr/bin/env bash
# A candidate model beside the champion (the v1 servers), and the share of traffic it gets.
#   scripts/delivery.sh candidate-start WAR   deploys WAR on its own server, api-candidate
#                                             (127.0.0.1:CANDIDATE_PORT), waits until it is ready
#                                             and makes it a Prometheus target
#   scripts/delivery.sh traffic SHADOW CANARY mirrors SHADOW % of v1 requests to the candidate and
#                                             lets it answer CANARY % (sticky per client): an nginx
#                                             reload, no server restarts, no request lost
#   scripts/delivery.sh candidate-stop        shares back to 0, out of Prometheus' targets, then
#                                             stops the candidate
#   scripts/delivery.sh status                the candidate, its model and the current shares
# Settings: stack.env and the environment, as for scripts/stack.sh; the stack must be running.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress wars liberty nginx monitoring supervisor; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done

CANDIDATE=api-candidate

# The shares in force: the header line of the rendered delivery.conf.
current_shares() {
  sed -n '1s/.*shadow \([0-9]*\) %, canary \([0-9]*\) %.*/shadow \1 %, canary \2 %/p' "$NGINX_STATE_DIR/upstreams/delivery.conf" 2>/dev/null
}

cmd_traffic() {
  local shadow="${1:-}" canary="${2:-}"
  { settings_is_percent "$shadow" && settings_is_percent "$canary"; } \
    || die "usage: $0 traffic SHADOW_PERCENT CANARY_PERCENT (whole numbers from 0 to 100)"
  supervisor_require_stack
  if ((shadow + canary > 0)) && ! liberty_server_ready "$CANDIDATE_PORT"; then
    die "no ready candidate on port $CANDIDATE_PORT: start one first ($0 candidate-start WAR)"
  fi
  local previous
  previous="$(cat "$NGINX_STATE_DIR/upstreams/delivery.conf")"
  nginx_write_delivery "$shadow" "$canary"
  if ! nginx_run -t >"$LOG_DIR/nginx-delivery-check.log" 2>&1; then
    printf '%s\n' "$previous" >"$NGINX_STATE_DIR/upstreams/delivery.conf"
    die "nginx refused the new shares (kept the old ones); see $LOG_DIR/nginx-delivery-check.log"
  fi
  # HUP: new workers take the new shares, the old ones finish their requests first.
  supervisor_ctl signal HUP nginx >/dev/null || die "nginx could not be reloaded; see $(program_log nginx)"
  ok "traffic to the candidate: shadow $shadow %, canary $canary % (nginx reloaded)"
}

cmd_candidate_start() {
  local war="${1:-}"
  [[ -f "$war" ]] || die "usage: $0 candidate-start WAR (no file '$war')"
  war="$(cd "$(dirname "$war")" && pwd)/$(basename "$war")"
  supervisor_require_stack
  local version
  version="$(wars_model_version "$war")" || die "$war is not a WAR of this API with a consistent model card"
  if program_is_up "$CANDIDATE"; then
    step "Stopping the running candidate first"
    stop_candidate
  fi
  # The champion: the v1 servers' WAR, the same on each (not in the middle of a rollout).
  local champion_war champion_version name
  champion_war="$LIBERTY_SERVERS_DIR/api-v1-1/apps/ml-api-v1.war"
  champion_version="$(wars_model_version "$champion_war")" || die "no champion WAR at $champion_war"
  while read -r name _; do
    [[ "$(wars_model_version "$LIBERTY_SERVERS_DIR/$name/apps/ml-api-v1.war")" == "$champion_version" ]] \
      || die "the v1 servers do not all serve model $champion_version (a rollout in progress?); try again after it"
  done < <(v1_instances)

  step "Starting the candidate: model $version ($war) on $CANDIDATE, port $CANDIDATE_PORT, compared with champion $champion_version"
  liberty_prepare_server "$CANDIDATE" "$CANDIDATE_PORT" v1
  liberty_deploy_war "$CANDIDATE" "$war"
  # The champion's model beside it: each mirrored request is scored by both (ShadowComparison).
  local champion_dir="$LIBERTY_SERVERS_DIR/$CANDIDATE/champion-model"
  rm -rf "$champion_dir"
  wars_extract_model "$champion_war" "$champion_dir" || die "could not extract the champion's model from $champion_war"
  printf 'API_CHAMPION_MODEL_DIR=%s\nAPI_CHAMPION_MODEL_VERSION=%s\n' "$champion_dir" "$champion_version" \
    >>"$LIBERTY_SERVERS_DIR/$CANDIDATE/server.env"
  supervisor_ctl start "$CANDIDATE" >/dev/null || die "supervisorctl start $CANDIDATE failed; see $(program_log "$CANDIDATE")"
  supervisor_wait_ready "$CANDIDATE" "$CANDIDATE to be ready (http://127.0.0.1:$CANDIDATE_PORT/health/ready)" \
    liberty_server_ready "$CANDIDATE_PORT"
  monitoring_write_candidate_target "$PROMETHEUS_CONFIG_DIR" on
  ok "$CANDIDATE ready with model $version; it gets no traffic until: $0 traffic SHADOW CANARY"
}

# No traffic, then no scraping, then the server: Prometheus drops the target before the server goes,
# so stopping a candidate never shows as a target down (up == 0) on the console or in an alert.
stop_candidate() {
  cmd_traffic 0 0
  monitoring_write_candidate_target "$PROMETHEUS_CONFIG_DIR" off
  wait_until 30 "Prometheus to drop $CANDIDATE's target" monitoring_target_gone "$CANDIDATE_PORT" \
    || warn "Prometheus still lists $CANDIDATE as a target; stopping it anyway"
  supervisor_ctl stop "$CANDIDATE" >/dev/null || true
}

cmd_candidate_stop() {
  supervisor_require_stack
  stop_candidate
  ok "$CANDIDATE stopped"
}

cmd_status() {
  supervisor_require_stack
  local state
  state="$(supervisor_state "$CANDIDATE")"
  printf '  %-10s %s\n' candidate "$CANDIDATE ($state, port $CANDIDATE_PORT)"
  if liberty_server_ready "$CANDIDATE_PORT"; then
    printf '  %-10s %s\n' model "$(curl -fsS --max-time 5 "http://127.0.0.1:$CANDIDATE_PORT/metrics" \
      | sed -n 's/^model_info{.*version="\([0-9a-f]*\)".*/\1/p' | head -1)"
  fi
  printf '  %-10s %s\n' traffic "$(current_shares)"
}

case "${1:-}" in
  traffic)
    shift
    cmd_traffic "$@"
    ;;
  candidate-start)
    shift
    cmd_candidate_start "$@"
    ;;
  candidate-stop) cmd_candidate_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 traffic SHADOW CANARY | candidate-start WAR | candidate-stop | status" >&2
    exit 2
    ;;
esac
