# shellcheck shell=bash
# Installing what the scripts need: one function, used by start, test and monitoring.
# Needs settings.sh and progress.sh.

# What the native stack runs, and the static tests run too (a private nginx,
# promtool): command -> Debian package that provides it
# shellcheck disable=SC2034 # read by stack.sh and test.sh
STACK_PACKAGES=(
  supervisord:supervisor nginx:nginx prometheus:prometheus promtool:prometheus
  prometheus-nginx-exporter:prometheus-nginx-exporter prometheus-alertmanager:prometheus-alertmanager
  amtool:prometheus-alertmanager logrotate:logrotate ab:apache2-utils openssl:openssl htpasswd:apache2-utils
  envsubst:gettext-base curl:curl ss:iproute2 jq:jq unzip:unzip javac:openjdk-17-jdk-headless mvn:maven
)

# packages_require COMMAND:PACKAGE...: installs the Debian package of each missing command (as
# root, with apt-get), or stops with the one command to run.
packages_require() {
  local entry missing=() log="$LOG_DIR/apt.log"
  for entry in "$@"; do
    command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}")
  done
  ((${#missing[@]})) || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  ((EUID == 0)) || die "missing packages; run: sudo apt-get install -y ${missing[*]}"
  mkdir -p "$LOG_DIR"
  step "Installing ${missing[*]} (apt-get; log: $log)"
  run_logged 1200 "$log" - sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "$@"' apt "${missing[@]}" \
    || die "apt-get install failed; see $log"
  ok "installed ${missing[*]}"
}

# packages_stop_service SERVICE PORT: Debian's nginx, prometheus and prometheus-nginx-exporter
# packages start a system service on install, which listens on the port our own instance needs.
# When that service runs and a process of its program holds PORT, it is stopped, and the start says
# exactly what it stopped and why. It is never disabled: the machine's own configuration is not ours
# to change; it may start again at boot, and the next start stops it again. A port held by anything
# else is an error to fix by hand.
packages_stop_service() {
  local service="$1" port="$2" owner program
  port_in_use "$port" || return 0
  owner="$(port_owner "$port")"
  program="$(sed -n 's/^users:(("\([^"]*\)".*/\1/p' <<<"$owner")"
  if ((EUID == 0)) && [[ -n "$program" && "$service" == "$program"* ]] && service "$service" status >/dev/null 2>&1; then
    warn "stopping the system service '$service' ($owner): its Debian package started it, and it holds port $port, which this stack's own $service needs." \
      "Only stopped (service $service stop), not disabled: it may come back at boot, and the next start stops it again."
    service "$service" stop >/dev/null 2>&1 || true
    if wait_until 15 "port $port to be free" port_is_free "$port"; then
      ok "system service '$service' stopped; port $port is free"
      return 0
    fi
  fi
  die "port $port is in use: $owner. Free it or set another port in stack.env or the environment."
}
