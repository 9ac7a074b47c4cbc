#!/usr/bin/env bash
# Compares two sets of servers from their prediction logs alone: the lines of the champion (the v1
# servers) and of a candidate are joined by request id (Nginx's X-Request-ID, the same on a mirrored
# request) and, for a batch of the Open Inference Protocol, the sentence's place in it (batch_index), then agreement, the confusion between the two models' labels and the latency difference
# are printed. Usage:
#   scripts/ab-report.sh [CHAMPION_DIR...] -- [CANDIDATE_DIR...]
# Each DIR holds predictions.N.jsonl files; without arguments the champion is every api-v1-N server's
# log folder and the candidate api-candidate's, under state/logs/liberty/.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in settings progress packages; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/lib/$lib.sh"
done
packages_require jq:jq

champion=() candidate=()
if (($# == 0)); then
  for dir in "$LOG_DIR"/liberty/api-v1-*; do [[ -d "$dir" ]] && champion+=("$dir"); done
  candidate=("$LOG_DIR/liberty/api-candidate")
else
  side=champion
  for arg in "$@"; do
    if [[ "$arg" == "--" ]]; then side=candidate; elif [[ "$side" == champion ]]; then champion+=("$arg"); else candidate+=("$arg"); fi
  done
fi
((${#champion[@]} > 0 && ${#candidate[@]} > 0)) || die "usage: $0 [CHAMPION_DIR...] -- [CANDIDATE_DIR...]"

# The lines of every predictions.N.jsonl in the folders; none at all is an error worth saying.
lines_of() {
  local dir found=0
  for dir in "$@"; do
    for f in "$dir"/predictions.*.jsonl; do
      [[ -s "$f" ]] || continue
      cat "$f"
      found=1
    done
  done
  ((found))
}

champion_lines="$(mktemp)" candidate_lines="$(mktemp)"
trap 'rm -f "$champion_lines" "$candidate_lines"' EXIT
lines_of "${champion[@]}" >"$champion_lines" || die "nothing to compare: the champion has no prediction log"
lines_of "${candidate[@]}" >"$candidate_lines" || die "nothing to compare: the candidate has no prediction log (is it running, with shadow traffic?)"

jq -rn --slurpfile champion "$champion_lines" --slurpfile candidate "$candidate_lines" '
  def pct(a; b): if b == 0 then "-" else "\((a * 1000 / b | round) / 10) %" end;
  def quantile(q): sort | if length == 0 then null else .[(q * length | ceil) - 1] end;  # nearest rank
  def ms: if . == null then "-" else "\(. * 100 | round / 100) ms" end;
  def versions: map(.model_version) | unique | join(", ");
  def key: "\(.request_id)#\(.batch_index // "")";
  ($champion | map(select(.request_id != "")) | INDEX(key)) as $by_id
  | [$candidate[] | select(.request_id != "" and $by_id[key] != null) | {a: $by_id[key], b: .}] as $pairs
  | ($pairs | length) as $n
  | ($pairs | map(select(.a.label == .b.label)) | length) as $agree
  | ($pairs | map(.a.latency_ms)) as $la | ($pairs | map(.b.latency_ms)) as $lb
  | ($pairs | map(.b.latency_ms - .a.latency_ms)) as $diff
  | "Champion:  \($champion | length) predictions, model \($champion | versions)",
    "Candidate: \($candidate | length) predictions, model \($candidate | versions)",
    "Joined by request id (and place in a batch): \($n)",
    "Agreement: \($agree) of \($n) (\(pct($agree; $n)))",
    "",
    "Confusion (champion label -> candidate label: requests), disagreements first:",
    ($pairs | group_by([.a.label, .b.label])
      | map({a: .[0].a.label, b: .[0].b.label, n: length})
      | sort_by([(.a == .b), -.n]) | .[]
      | "  \(.a) -> \(.b): \(.n)\(if .a == .b then "" else "  (differ)" end)"),
    "",
    "Latency on the server, joined requests:",
    "  champion   p50 \($la | quantile(0.5) | ms), p99 \($la | quantile(0.99) | ms)",
    "  candidate  p50 \($lb | quantile(0.5) | ms), p99 \($lb | quantile(0.99) | ms)",
    "  candidate minus champion, median per request: \($diff | quantile(0.5) | ms)"
'
