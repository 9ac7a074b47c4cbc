# Starts, stops and reports Prometheus and nginx-prometheus-exporter for the native stack.
# Sourced by scripts/stack.sh (after Nginx is up: the exporter needs stub_status at start) and by
# scripts/promtool-tests.sh. Both programs run as the invoking user; pids in $STATE_DIR/pids,
# logs in $STATE_DIR/logs, TSDB in $STATE_DIR/prometheus/data.

MONITORING_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${STATE_DIR:=$MONITORING_ROOT/state}"
: "${PROMETHEUS_PORT:=9090}"
: "${EXPORTER_PORT:=9113}"
: "${STUB_STATUS_PORT:=8081}"
: "${V1_REPLICAS:=3}"
: "${V1_BASE_PORT:=9081}"
: "${V2_PORT:=9084}"
: "${MONITORING_WAIT_SECONDS:=90}"

_mon_say() { printf '  %-11s %s\n' "monitoring" "$*"; }
_mon_fail() { printf '  %-11s ERROR: %s\n' "monitoring" "$*" >&2; return 1; }

_mon_pidfile() { echo "$STATE_DIR/pids/$1.pid"; }

# True when the pid file names a live process running the expected program.
_mon_running() {
  local pidfile pid
  pidfile="$(_mon_pidfile "$1")"
  [[ -s "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  kill -0 "$pid" 2>/dev/null && [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *"$2"* ]]
}

_mon_port_busy() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }

# Installs the Debian packages when missing (root only), or says which command to run.
_mon_require_packages() {
  local missing=()
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v prometheus-nginx-exporter >/dev/null || missing+=(prometheus-nginx-exporter)
  command -v curl >/dev/null || missing+=(curl)
  command -v ss >/dev/null || missing+=(iproute2)
  ((${#missing[@]} == 0)) && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if ((EUID != 0)); then
    _mon_fail "missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  _mon_say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
}

# Debian's packages start their own services on install (prometheus on :9090, the exporter on
# :9113). Those hold our ports, so they are stopped and disabled; anything else is reported.
_mon_free_port() {
  local port="$1" service="$2"
  _mon_port_busy "$port" || return 0
  if ((EUID == 0)) && service "$service" status >/dev/null 2>&1; then
    _mon_say "stopping and disabling the system service $service (it holds port $port)"
    service "$service" stop >/dev/null 2>&1 || true
    if [[ -d /run/systemd/system ]]; then
      systemctl disable "$service" >/dev/null 2>&1 || true
    else
      update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
    for _ in $(seq 20); do _mon_port_busy "$port" || return 0; sleep 0.5; done
  fi
  _mon_fail "port $port is in use: $(ss -Htlnp "sport = :$port" 2>/dev/null | head -1)"
  [[ "$service" == prometheus ]] && echo "    stop it (e.g. 'sudo service $service stop') or set PROMETHEUS_PORT" >&2
  [[ "$service" == prometheus-nginx-exporter ]] && echo "    stop it (e.g. 'sudo service $service stop') or set EXPORTER_PORT" >&2
  return 1
}

# Writes the file_sd target lists for the current settings into $1 (a config directory).
monitoring_write_targets() {
  local dir="$1/targets" i entries=()
  mkdir -p "$dir"
  for ((i = 1; i <= V1_REPLICAS; i++)); do
    entries+=("$(printf '{"targets": ["127.0.0.1:%d"], "labels": {"instance_name": "api-v1-%d", "variant": "v1"}}' \
      $((V1_BASE_PORT + i - 1)) "$i")")
  done
  entries+=("$(printf '{"targets": ["127.0.0.1:%d"], "labels": {"instance_name": "api-v2", "variant": "v2"}}' "$V2_PORT")")
  # One target per line, comma-separated.
  printf '[\n  %s\n]\n' "$(printf '%s\n' "${entries[@]}" | paste -sd ',' | sed 's/},{/},\n  {/g')" >"$dir/liberty.json.tmp"
  printf '[{"targets": ["127.0.0.1:%d"], "labels": {"instance_name": "nginx"}}]\n' "$EXPORTER_PORT" >"$dir/nginx.json.tmp"
  printf '[{"targets": ["127.0.0.1:%d"], "labels": {"instance_name": "prometheus"}}]\n' "$PROMETHEUS_PORT" >"$dir/prometheus.json.tmp"
  # Renames are atomic: Prometheus never reads a half-written list.
  for f in liberty nginx prometheus; do mv -f "$dir/$f.json.tmp" "$dir/$f.json"; done
}

# Copies the committed configuration and rules into $1 and adds the target lists beside them.
monitoring_stage_config() {
  local dir="$1"
  mkdir -p "$dir"
  rm -rf "$dir/rules"
  cp "$MONITORING_ROOT/prometheus/prometheus.yml" "$dir/prometheus.yml"
  cp -r "$MONITORING_ROOT/prometheus/rules" "$dir/rules"
  monitoring_write_targets "$dir"
}

_mon_config_dir() { echo "$STATE_DIR/prometheus/config"; }

_mon_start_exporter() {
  if _mon_running nginx-exporter prometheus-nginx-exporter; then
    _mon_say "nginx-prometheus-exporter already running (pid $(<"$(_mon_pidfile nginx-exporter)"))"
    return 0
  fi
  _mon_free_port "$EXPORTER_PORT" prometheus-nginx-exporter || return 1
  # Flags take one dash in this exporter (Go flag package).
  nohup prometheus-nginx-exporter \
    -nginx.scrape-uri="http://127.0.0.1:$STUB_STATUS_PORT/nginx_status" \
    -nginx.retries=10 -nginx.retry-interval=1s \
    -web.listen-address="127.0.0.1:$EXPORTER_PORT" \
    >>"$STATE_DIR/logs/nginx-exporter.log" 2>&1 </dev/null &
  echo $! >"$(_mon_pidfile nginx-exporter)"
  _mon_say "nginx-prometheus-exporter started on 127.0.0.1:$EXPORTER_PORT (pid $!)"
}

_mon_start_prometheus() {
  local config_dir
  config_dir="$(_mon_config_dir)"
  monitoring_stage_config "$config_dir"
  promtool check config "$config_dir/prometheus.yml" >/dev/null 2>&1 ||
    { _mon_fail "invalid configuration: promtool check config $config_dir/prometheus.yml"; return 1; }
  if _mon_running prometheus "prometheus --config.file"; then
    # Pick up edited rules; target lists are re-read by Prometheus on their own.
    kill -HUP "$(<"$(_mon_pidfile prometheus)")"
    _mon_say "Prometheus already running (pid $(<"$(_mon_pidfile prometheus)")), configuration reloaded"
    return 0
  fi
  _mon_free_port "$PROMETHEUS_PORT" prometheus || return 1
  mkdir -p "$STATE_DIR/prometheus/data"
  nohup prometheus \
    --config.file="$config_dir/prometheus.yml" \
    --storage.tsdb.path="$STATE_DIR/prometheus/data" \
    --storage.tsdb.retention.time=7d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.console.templates="$MONITORING_ROOT/prometheus/consoles" \
    --web.console.libraries="$MONITORING_ROOT/prometheus/console_libraries" \
    >>"$STATE_DIR/logs/prometheus.log" 2>&1 </dev/null &
  echo $! >"$(_mon_pidfile prometheus)"
  _mon_say "Prometheus started on 127.0.0.1:$PROMETHEUS_PORT (pid $!)"
}

# Number of targets the configuration lists: the servers, the exporter and Prometheus itself.
_mon_expected_targets() { echo $((V1_REPLICAS + 3)); }

# Polls the targets API until every target's last scrape succeeded.
monitoring_wait() {
  local deadline=$((SECONDS + MONITORING_WAIT_SECONDS)) json up total expected
  expected="$(_mon_expected_targets)"
  while ((SECONDS < deadline)); do
    json="$(curl -fsS "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/targets?state=active" 2>/dev/null)" || json=""
    up="$(grep -o '"health":"up"' <<<"$json" | wc -l || true)"
    total="$(grep -o '"health":"[a-z]*"' <<<"$json" | wc -l || true)"
    if ((total == expected && up == expected)); then
      _mon_say "all $expected Prometheus targets are up"
      return 0
    fi
    sleep 1
  done
  _mon_fail "after ${MONITORING_WAIT_SECONDS}s, $up of $expected Prometheus targets are up:"
  # Each active target lists scrapeUrl before health: pair them and show those not up.
  grep -o '"scrapeUrl":"[^"]*"\|"health":"[a-z]*"' <<<"$json" | paste - - |
    sed -n 's/"scrapeUrl":"\([^"]*\)"\t"health":"\([a-z]*\)"/\2 \1/p' | grep -v '^up ' |
    sed 's/^/    /' >&2 || true
  echo "    see http://127.0.0.1:$PROMETHEUS_PORT/targets and $STATE_DIR/logs/prometheus.log" >&2
  return 1
}

monitoring_start() {
  mkdir -p "$STATE_DIR/pids" "$STATE_DIR/logs" "$STATE_DIR/prometheus"
  _mon_require_packages || return 1
  _mon_start_exporter || return 1
  _mon_start_prometheus || return 1
  monitoring_wait
}

_mon_stop_one() {
  local name="$1" pattern="$2" pidfile pid
  pidfile="$(_mon_pidfile "$name")"
  if _mon_running "$name" "$pattern"; then
    pid="$(<"$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    _mon_say "$name stopped (pid $pid)"
  fi
  rm -f "$pidfile"
}

monitoring_stop() {
  _mon_stop_one prometheus "prometheus --config.file"
  _mon_stop_one nginx-exporter prometheus-nginx-exporter
}

# Exits non-zero when a program is stopped or not answering.
monitoring_status() {
  local entry name pattern url rc=0
  for entry in "prometheus|prometheus --config.file|http://127.0.0.1:$PROMETHEUS_PORT/-/ready" \
               "nginx-exporter|prometheus-nginx-exporter|http://127.0.0.1:$EXPORTER_PORT/metrics"; do
    IFS='|' read -r name pattern url <<<"$entry"
    if _mon_running "$name" "$pattern"; then
      if curl -fsS -o /dev/null --max-time 3 "$url"; then
        printf '  %-16s running (pid %s) %s\n' "$name" "$(<"$(_mon_pidfile "$name")")" "$url"
      else
        printf '  %-16s running (pid %s), not answering on %s\n' "$name" "$(<"$(_mon_pidfile "$name")")" "$url"
        rc=1
      fi
    else
      printf '  %-16s stopped\n' "$name"
      rc=1
    fi
  done
  return $rc
}
