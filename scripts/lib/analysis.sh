# shellcheck shell=bash
# The delivery analysis (delivery/canary.yaml: phases, weights, gates) as make canary and
# make k8s-analysis read it: loaded once with Debian's yq (the jq wrapper for YAML), checked, then
# asked with jq. The file's queries carry {{args.NAME}} parameters, as Argo Rollouts writes them;
# analysis_render fills them in. Needs progress.sh and packages.sh (settings.sh for LOG_DIR).

ANALYSIS_JSON=""
ANALYSIS_FILE=""

# jq definitions every question below shares ($args is jq's, not the shell's).
# shellcheck disable=SC2016
ANALYSIS_JQ_DEFS='
  def fill($args): reduce ($args | to_entries[]) as $a (.;
    gsub("\\{\\{ *args\\.\($a.key) *\\}\\}"; $a.value | tostring));
  def oneline: gsub("\\s+"; " ") | sub("^ "; "") | sub(" $"; "");
  def op: if has("max") then "<=" else ">=" end;
  def threshold: if has("max") then .max else .min end;
  def gates($phase): [.gates[] | select(.phase == $phase)];
'

# analysis_load FILE: reads and checks the file; every problem in one message, then exit 1.
analysis_load() {
  ANALYSIS_FILE="$1"
  [[ -f "$ANALYSIS_FILE" ]] || die "no delivery analysis at $ANALYSIS_FILE (CANARY_ANALYSIS)"
  packages_require yq:yq jq:jq
  # Debian's yq is the jq wrapper; another tool of that name (a Go yq) prints YAML back, not JSON.
  [[ "$(yq -c . <<<'a: 1' 2>/dev/null)" == '{"a":1}' ]] \
    || die "the yq on PATH ($(command -v yq)) is not the jq wrapper for YAML that Debian's package yq installs"
  ANALYSIS_JSON="$(yq -c . "$ANALYSIS_FILE" 2>&1)" || die "$ANALYSIS_FILE is not YAML: $ANALYSIS_JSON"
  local problems
  problems="$(analysis_problems)"
  [[ -z "$problems" ]] || die "$ANALYSIS_FILE has problems:"$'\n'"  - ${problems//$'\n'/$'\n'  - }"
}

# One line per problem of the loaded file; nothing when it is sound.
analysis_problems() {
  jq -r "$ANALYSIS_JQ_DEFS"'
    def whole: type == "number" and . == floor;
    def seconds($what; $check): if (whole and . >= $check and . % $check == 0) | not
      then "\($what) must be a whole number of seconds, a multiple of checkSeconds (\($check))" else empty end;
    if type != "object" then "the file must be a YAML mapping" else . as $root |
    (.checkSeconds as $c | if ($c | whole and . >= 1) | not then "checkSeconds must be a whole number of seconds, at least 1" else
      (.shadow.seconds | seconds("shadow.seconds"; $c)), (.canary.stepSeconds | seconds("canary.stepSeconds"; $c)) end),
    (if (.shadow.mirrorPercent | whole and . >= 1 and . <= 100) | not then "shadow.mirrorPercent must be a whole number from 1 to 100" else empty end),
    (.canary.weights as $w | if ($w | type == "array" and length > 0 and all(.[]; whole and . >= 1 and . <= 100)
        and ([range(1; length) as $i | $w[$i] > $w[$i - 1]] | all) and .[-1] == 100) | not
      then "canary.weights must be rising whole percentages from 1 to 100, the last 100 (such as [5, 25, 50, 100])" else empty end),
    (if (.args | type == "object" and all(to_entries[]; (.key | test("^[a-z][a-z0-9-]*$")) and (.value | type == "string"))) | not
      then "args must map names (a-z, 0-9, -) to strings" else empty end),
    (.args | objects | keys[] | select(. == "window" or . == "champion-window") | "args.\(.) is set by the run, not the file"),
    (if (.kubernetes.prometheusAddress | type == "string" and test("^https?://[^ ]+$")) | not
      then "kubernetes.prometheusAddress must be an http(s) URL" else empty end),
    (if (.gates | type == "array" and length > 0) | not then "gates must be a list of gates" else
      (.args // {}) as $args
      | (.gates | to_entries[] | .key as $i | .value as $g | "gates[\($i)] (\($g.name // "no name"))" as $at
        | (if ($g.name | type == "string" and test("^[a-z][a-z0-9_]*$")) | not then "\($at): name must be a-z, 0-9 and _" else empty end),
          (if ($g.phase | IN("shadow", "canary")) | not then "\($at): phase must be shadow or canary" else empty end),
          (if ([$g | has("min"), has("max")] | map(select(.)) | length) != 1 then "\($at): give one threshold, min or max"
           elif ($g | threshold | type) != "number" then "\($at): \(if $g | has("max") then "max" else "min" end) must be a number" else empty end),
          (if ($g.minRequests | whole and . >= 0) | not then "\($at): minRequests must be a whole number" else empty end),
          ([$g.query, $g.requests] | if any(.[]; type != "string" or length == 0) then "\($at): query and requests must be PromQL" else
            [.[] | scan("\\{\\{ *args\\.([^ }]+) *\\}\\}") | .[0]] | unique[]
            | select(. as $n | ($args | has($n)) or $n == "window" or $n == "champion-window" | not)
            | "\($at): {{args.\(.)}} is neither in args nor window or champion-window" end)),
      ([.gates[] | "\(.name) in \(.phase)"] | group_by(.)[] | select(length > 1) | "gate \(.[0]) is defined twice"),
      ("shadow", "canary" | select(. as $p | [$root.gates[] | select(.phase == $p)] | length == 0) | "no gate for the \(.) phase")
    end) end
  ' <<<"$ANALYSIS_JSON"
}

# analysis_get FILTER: one value of the loaded file (jq -r).
analysis_get() { jq -r "$ANALYSIS_JQ_DEFS $1" <<<"$ANALYSIS_JSON"; }

# analysis_gate_count PHASE; analysis_gate PHASE INDEX FIELD (name, op, threshold, minRequests).
analysis_gate_count() { jq --arg p "$1" "$ANALYSIS_JQ_DEFS"'gates($p) | length' <<<"$ANALYSIS_JSON"; }
analysis_gate() {
  jq -r --arg p "$1" --argjson i "$2" "$ANALYSIS_JQ_DEFS"'gates($p)[$i] | '"$3" <<<"$ANALYSIS_JSON"
}

# analysis_query PHASE INDEX KIND ARGS_JSON: a gate's PromQL with its parameters filled in, on one
# line. KIND: query (the value), requests (what minRequests counts) or judged (the value, and no
# value at all while the requests are fewer than minRequests: what the gate is judged on).
# ARGS_JSON: the run's parameters (window, champion-window, ...) over the file's args.
analysis_query() {
  jq -r --arg p "$1" --argjson i "$2" --arg kind "$3" --argjson run "$4" "$ANALYSIS_JQ_DEFS"'
    (.args + $run) as $args | gates($p)[$i]
    | if $kind == "judged" then "(\(.query)) and on() ((\(.requests)) >= \(.minRequests))" else .[$kind] end
    | fill($args) | oneline' <<<"$ANALYSIS_JSON"
}
