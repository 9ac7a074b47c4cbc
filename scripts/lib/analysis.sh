# shellcheck shell=bash
# The delivery tool (delivery/src): it checks the delivery analysis (delivery/canary.yaml: phases,
# weights, gates), gives make k8s-analysis its objects and runs make canary. Its jar is built when
# missing or older than its sources or either pom (the parent's holds the versions). Needs progress.sh.

ANALYSIS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ANALYSIS_JAR="$ANALYSIS_ROOT/delivery/target/delivery-analysis.jar"

# The jar, built first when missing or stale.
analysis_jar() {
  if [[ ! -f "$ANALYSIS_JAR" || -n "$(find "$ANALYSIS_ROOT/pom.xml" "$ANALYSIS_ROOT/delivery/pom.xml" "$ANALYSIS_ROOT/delivery/src/main" \
    -newer "$ANALYSIS_JAR" -print -quit)" ]]; then
    mkdir -p "$LOG_DIR"
    (cd "$ANALYSIS_ROOT" && mvn -B -ntp -pl delivery package -DskipTests) >"$LOG_DIR/delivery-build.log" 2>&1 \
      || die "could not build the delivery tool (mvn -pl delivery package): $LOG_DIR/delivery-build.log"
  fi
}

# delivery_analysis COMMAND [ARGS...]: the tool's answer (its commands: delivery/src/main/java/org/
# mlgateway/delivery/Main.java). Exit 1, with every problem named, when an analysis file is not sound.
delivery_analysis() {
  analysis_jar
  java -jar "$ANALYSIS_JAR" "$@"
}
