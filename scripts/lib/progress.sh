# shellcheck shell=bash
# Progress output and bounded waiting, the same in every script: one line per step, a line every
# 10 s while something long runs, and no wait without a deadline.

step() { printf '==> %s\n' "$*"; }
ok() { printf '    ok   %s\n' "$*"; }
warn() { printf '    WARN %s\n' "$*" >&2; }
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}
# refuse HEADING PROBLEMS: with any problems (one a line), dies listing them under HEADING.
refuse() { [[ -z "$2" ]] || die "$1:"$'\n'"  - ${2//$'\n'/$'\n'  - }"; }

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND once a second until it succeeds.
wait_until() {
  local timeout="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + timeout))
  "$@" >/dev/null 2>&1 && return 0
  printf '    ...  waiting up to %ss for %s\n' "$timeout" "$what"
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

# run_logged SECONDS LOG DETAIL COMMAND...: runs a long COMMAND (build, download, apt-get) with its
# output in LOG, stopped after SECONDS. Every 10 s prints the elapsed time, what the function named
# DETAIL says (or "-" for nothing) and the log's last line, so a long step is seen to move.
run_logged() {
  local timeout="$1" log="$2" detail="$3" started=$SECONDS pid line
  shift 3
  timeout "$timeout" "$@" >"$log" 2>&1 </dev/null &
  pid=$!
  until timeout 10 tail --pid="$pid" -f /dev/null; do
    line="$(tail -n 1 "$log" 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | tr -d '\r' | cut -c1-90)"
    printf '    ...  %4ss %s%s\n' $((SECONDS - started)) "$([[ "$detail" == - ]] || "$detail")" "${line:+  | $line}"
  done
  wait "$pid"
}

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
port_is_free() { ! port_in_use "$1"; }
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -1; }
