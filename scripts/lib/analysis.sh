# shellcheck shell=bash
# The delivery analysis (delivery/canary.yaml: phases, weights, gates) as make canary and
# make k8s-analysis read it: through the delivery module's tool (delivery/src), which checks the file
# and answers in lines. Its jar is built when missing or older than its sources. Needs progress.sh.

ANALYSIS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ANALYSIS_JAR="$ANALYSIS_ROOT/delivery/target/delivery-analysis.jar"

# delivery_analysis COMMAND FILE [ARGS...]: the tool's answer (its commands: delivery/src/main/java/org/
# mlgateway/delivery/Main.java). Exit 1, with every problem of FILE named, when FILE is not sound.
delivery_analysis() {
  if [[ ! -f "$ANALYSIS_JAR" || -n "$(find "$ANALYSIS_ROOT/delivery/pom.xml" "$ANALYSIS_ROOT/delivery/src/main" \
    -newer "$ANALYSIS_JAR" -print -quit)" ]]; then
    mkdir -p "$LOG_DIR"
    (cd "$ANALYSIS_ROOT" && mvn -B -ntp -pl delivery package -DskipTests) >"$LOG_DIR/delivery-build.log" 2>&1 \
      || die "could not build the delivery analysis tool (mvn -pl delivery package): $LOG_DIR/delivery-build.log"
  fi
  java -jar "$ANALYSIS_JAR" "$@"
}
