# shellcheck shell=bash
# Prometheus and nginx-prometheus-exporter of the native stack: the configuration Prometheus runs
# (the committed prometheus/ files plus file_sd target lists written with jq) and the wait until
# every target is scraped. supervisord runs both programs (scripts/lib/supervisor.sh).
# Needs settings.sh and progress.sh.

PROMETHEUS_CONFIG_DIR="$PROMETHEUS_STATE_DIR/config"
PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT"

# Writes the file_sd target lists for the current settings into DIR/targets.
monitoring_write_targets() {
  local dir="$1/targets" name port variant
  mkdir -p "$dir"
  # Each file is written whole, then renamed: Prometheus never reads a half-written list. The v1
  # servers serve the champion (role, as the delivery gates select servers: delivery/canary.yaml).
  while read -r name port variant; do
    jq -n --arg target "127.0.0.1:$port" --arg name "$name" --arg variant "$variant" \
      '{targets: [$target], labels: ({instance_name: $name, variant: $variant}
        + if $variant == "v1" then {role: "champion"} else {} end)}'
  done < <(api_instances) | jq -s . >"$dir/liberty.json.tmp"
  jq -n --arg target "127.0.0.1:$EXPORTER_PORT" '[{targets: [$target], labels: {instance_name: "nginx"}}]' >"$dir/nginx.json.tmp"
  jq -n --arg target "127.0.0.1:$PROMETHEUS_PORT" '[{targets: [$target], labels: {instance_name: "prometheus"}}]' >"$dir/prometheus.json.tmp"
  # make canary's state, served by nginx on its status port (scripts/lib/canary.sh).
  jq -n --arg target "127.0.0.1:$STUB_STATUS_PORT" '[{targets: [$target], labels: {instance_name: "make-canary"}}]' >"$dir/canary.json.tmp"
  # Where Prometheus sends its alerts (the alerting block of prometheus.yml; scripts/lib/alerting.sh).
  jq -n --arg target "127.0.0.1:$ALERTMANAGER_PORT" '[{targets: [$target]}]' >"$dir/alertmanager.json.tmp"
  for name in liberty nginx prometheus canary alertmanager; do mv -f "$dir/$name.json.tmp" "$dir/$name.json"; done
  monitoring_write_candidate_target "$1" off # scripts/delivery.sh turns it on with the candidate
}

# The candidate's target list: the server while it runs (on), empty otherwise (off), so a candidate
# that is not there is not a target down. Same job as the v1 servers, instance_name api-candidate,
# role candidate.
monitoring_write_candidate_target() {
  local dir="$1/targets"
  if [[ "$2" == on ]]; then
    jq -n --arg target "127.0.0.1:$CANDIDATE_PORT" \
      '[{targets: [$target], labels: {instance_name: "api-candidate", variant: "v1", role: "candidate"}}]' >"$dir/candidate.json.tmp"
  else
    echo '[]' >"$dir/candidate.json.tmp"
  fi
  mv -f "$dir/candidate.json.tmp" "$dir/candidate.json"
}

# Copies the committed configuration and rules into DIR and adds the target lists beside them.
monitoring_stage_config() {
  local dir="$1"
  mkdir -p "$dir"
  rm -rf "$dir/rules"
  cp "$PROJECT_ROOT/prometheus/prometheus.yml" "$dir/prometheus.yml"
  cp -r "$PROJECT_ROOT/prometheus/rules" "$dir/rules"
  monitoring_write_targets "$dir"
}

monitoring_render() {
  step "Staging the Prometheus configuration into $PROMETHEUS_CONFIG_DIR"
  mkdir -p "$PROMETHEUS_STATE_DIR/data"
  monitoring_stage_config "$PROMETHEUS_CONFIG_DIR"
  promtool check config "$PROMETHEUS_CONFIG_DIR/prometheus.yml" >"$LOG_DIR/promtool-check.log" 2>&1 \
    || die "invalid Prometheus configuration; see $LOG_DIR/promtool-check.log"
  ok "Prometheus configuration is valid"
}

# The active targets as "health scrapeUrl" lines, from Prometheus' targets API.
monitoring_targets() {
  curl -fsS --max-time 3 "$PROMETHEUS_URL/api/v1/targets?state=active" \
    | jq -r '.data.activeTargets[] | "\(.health) \(.scrapeUrl)"'
}

# True when Prometheus scrapes nothing on 127.0.0.1:PORT, or does not answer (nothing to wait for).
monitoring_target_gone() {
  local targets
  targets="$(monitoring_targets)" || return 0
  ! grep -q "//127.0.0.1:$1/" <<<"$targets"
}

# The targets of a running stack: the servers, the exporter, Prometheus itself, make canary's state,
# and the candidate while it runs.
monitoring_expected_targets() {
  echo $((V1_REPLICAS + 4 + $([[ "$(supervisor_state api-candidate 2>/dev/null)" == RUNNING ]] && echo 1 || echo 0)))
}

# True when Prometheus scrapes every target it should successfully.
monitoring_all_up() {
  local targets expected
  expected="$(monitoring_expected_targets)"
  targets="$(monitoring_targets)" || return 1
  [[ "$(grep -c '^up ' <<<"$targets")" == "$expected" && "$(wc -l <<<"$targets")" == "$expected" ]]
}

monitoring_wait_ready() {
  if wait_until "$READY_TIMEOUT" "Prometheus to scrape all $(monitoring_expected_targets) targets" monitoring_all_up; then
    ok "Prometheus scrapes all $(monitoring_expected_targets) targets: $PROMETHEUS_URL/targets"
    return
  fi
  monitoring_targets 2>/dev/null | grep -v '^up ' | sed 's/^/    /' >&2 || true
  die "not every Prometheus target is up (above); see $PROMETHEUS_URL/targets and $LOG_DIR/prometheus.log"
}
