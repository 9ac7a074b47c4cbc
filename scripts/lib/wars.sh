# shellcheck shell=bash
# The API's two WARs: built when missing or older than their sources, so starting the stack or
# rolling out after `make train` or a code change deploys what the sources say; and the model
# version a WAR serves. Needs settings.sh and progress.sh.

WAR_DIR="$PROJECT_ROOT/ml-api-war/target"

wars_build_if_stale() {
  local war reason=""
  for war in "$WAR_DIR/ml-api-v1.war" "$WAR_DIR/ml-api-v2.war"; do
    if [[ ! -f "$war" ]]; then
      reason="$(basename "$war") is missing"
    elif [[ -n "$(find "$PROJECT_ROOT/pom.xml" "$PROJECT_ROOT"/{ml-api-war,emotion-model}/{pom.xml,src/main} \
      -newer "$war" -print -quit 2>/dev/null)" ]]; then
      reason="sources changed since $(basename "$war") was built"
    fi
    [[ -z "$reason" ]] || break
  done
  if [[ -z "$reason" ]]; then
    ok "ml-api-v1.war and ml-api-v2.war are up to date"
    return
  fi
  step "Building both WARs with Maven ($reason); log: $LOG_DIR/build.log"
  run_logged 1800 "$LOG_DIR/build.log" - sh -c "cd '$PROJECT_ROOT' && mvn -B -ntp package -DskipTests \
      && mvn -B -ntp -pl ml-api-war -am -Pv2 package -DskipTests" \
    || die "the build failed; see $LOG_DIR/build.log"
  ok "built ml-api-v1.war and ml-api-v2.war"
}

# The model version a WAR serves (12 hex digits, what the servers put in X-Model-Version): the
# modelVersion of its model card, model/model-card.json in the one WEB-INF/lib/emotion-model-*.jar,
# or WEB-INF/classes/model/model-card.json in WARs built before the model moved into that jar.
wars_model_version() {
  local war="$1" jars version="" tmp
  mapfile -t jars < <(unzip -Z1 "$war" 'WEB-INF/lib/emotion-model-*.jar' 2>/dev/null)
  ((${#jars[@]} <= 1)) || {
    warn "$war holds ${#jars[@]} emotion-model jars: ${jars[*]}"
    return 1
  }
  if ((${#jars[@]} == 1)); then
    tmp="$(mktemp)"
    unzip -p "$war" "${jars[0]}" >"$tmp"
    version="$(unzip -p "$tmp" model/model-card.json 2>/dev/null | jq -r '.modelVersion // empty' 2>/dev/null)"
    rm -f "$tmp"
  fi
  if [[ -z "$version" ]]; then
    version="$(unzip -p "$war" WEB-INF/classes/model/model-card.json 2>/dev/null | jq -r '.modelVersion // empty' 2>/dev/null)"
  fi
  [[ "$version" =~ ^[0-9a-f]{12}$ ]] || {
    warn "$war has no model card with a 12-hex modelVersion"
    return 1
  }
  echo "$version"
}

# wars_extract_model WAR DIR: the model file and card a WAR serves, copied into DIR (what a candidate
# server compares its answers with: scripts/delivery.sh).
wars_extract_model() {
  local war="$1" dir="$2" jar tmp
  jar="$(unzip -Z1 "$war" 'WEB-INF/lib/emotion-model-*.jar' 2>/dev/null | head -1)"
  [[ -n "$jar" ]] || {
    warn "$war has no WEB-INF/lib/emotion-model-*.jar"
    return 1
  }
  tmp="$(mktemp)"
  unzip -p "$war" "$jar" >"$tmp"
  mkdir -p "$dir"
  unzip -qo -j "$tmp" 'model/*' -d "$dir" || {
    rm -f "$tmp"
    warn "no model/ in $jar of $war"
    return 1
  }
  rm -f "$tmp"
}
