# The API's two WARs, built when missing or older than their sources, so starting the stack or
# rolling out after `make train` or a code change always deploys what the sources say.
# Needs config.sh and progress.sh.

WAR_DIR="$PROJECT_ROOT/ml-api-war/target"

# Both WAR variants, rebuilt when missing or older than any source of the API or the model.
wars_build_if_stale() {
  step "Checking the API WARs"
  local wars=("$WAR_DIR/ml-api-v1.war" "$WAR_DIR/ml-api-v2.war")
  local reason="" war
  for war in "${wars[@]}"; do
    if [[ ! -f "$war" ]]; then
      reason="$(basename "$war") is missing"
    elif [[ -n "$(find "$PROJECT_ROOT/pom.xml" "$PROJECT_ROOT/ml-api-war/pom.xml" "$PROJECT_ROOT/ml-api-war/src/main" \
      "$PROJECT_ROOT/emotion-model/pom.xml" "$PROJECT_ROOT/emotion-model/src/main" -newer "$war" -print -quit)" ]]; then
      reason="sources changed since $(basename "$war") was built"
    fi
    [[ -z "$reason" ]] || break
  done
  if [[ -z "$reason" ]]; then
    ok "ml-api-v1.war and ml-api-v2.war are up to date"
    return
  fi
  step "Building both WARs ($reason); log: $LOG_DIR/build.log"
  (cd "$PROJECT_ROOT" && mvn -B -q install -DskipTests && mvn -B -q -pl ml-api-war -Pv2 package -DskipTests) \
    >"$LOG_DIR/build.log" 2>&1 || die "the build failed; see $LOG_DIR/build.log"
  ok "built ml-api-v1.war and ml-api-v2.war"
}

# The model version a WAR serves: the first 12 hex digits of its model file's SHA-256 (what the
# servers put in X-Model-Version). Fails when the WAR's model card names another version.
wars_model_version() {
  local war="$1" version card_version
  version="$(unzip -p "$war" WEB-INF/classes/model/emotion-model.tribuo.gz | sha256sum | cut -c1-12)"
  card_version="$(unzip -p "$war" WEB-INF/classes/model/model-card.json \
    | sed -n 's/.*"modelVersion" *: *"\([0-9a-f]*\)".*/\1/p' | head -1)"
  [[ "$version" =~ ^[0-9a-f]{12}$ ]] || { warn "$war holds no model file"; return 1; }
  [[ "$card_version" == "$version" ]] || { warn "$war: model card says '$card_version', model file is $version"; return 1; }
  echo "$version"
}
