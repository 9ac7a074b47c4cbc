# Progress lines and waiting, shared by the scripts that drive the native stack (stack.sh,
# rollout.sh): one look for every step, and one way to wait for something to come up or go away.

step() { printf '==> %s\n' "$*"; }
ok() { printf '    ok   %s\n' "$*"; }
warn() { printf '    WARN %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

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

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
port_is_free() { ! port_in_use "$1"; }
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -1; }
process_gone() { ! kill -0 "$1" 2>/dev/null; }

# status_row NAME PID PORTS COMMAND...: one line of the status table; up when COMMAND succeeds.
status_row() {
  local name="$1" pid="$2" ports="$3" state=down
  shift 3
  if "$@" >/dev/null 2>&1; then state=up; fi
  printf '  %-18s %-8s %-12s %s\n' "$name" "$pid" "$ports" "$state"
}
