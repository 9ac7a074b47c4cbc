package org.mlgateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnalysisFileTest {

    /** The committed file (the module's folder is the working directory of its tests). */
    static final Path COMMITTED = Path.of("canary.yaml");

    /** A small sound file; each test below breaks one thing of it. */
    static final String SOUND = """
            args:
              candidate: role="candidate"
            checkSeconds: 5
            shadow: {mirrorPercent: 100, seconds: 20}
            canary: {weights: [10, 100], stepSeconds: 10}
            kubernetes: {prometheusAddress: "http://prometheus:9090"}
            gates:
              - {name: errors, phase: shadow, max: 0.01, minRequests: 5, requests: "sum(up{ {{args.candidate}} })",
                 query: "sum(rate(x{ {{args.candidate}} }[{{ args.window }}]))"}
              - {name: errors, phase: canary, min: 1, minRequests: 0, requests: "sum(up)", query: "max(y[{{args.champion-window}}])"}
            """;

    @Test
    void theCommittedFileIsSoundAndSaysWhatARunDoes() throws IOException {
        AnalysisFile file = AnalysisFile.load(COMMITTED);
        assertEquals(List.of(), file.problems());
        assertEquals(5, file.checkSeconds());
        assertEquals(List.of(5, 25, 50, 100), file.weights());
        assertEquals(
                List.of("agreement", "error_ratio", "p99_ratio"),
                file.gates("shadow").stream().map(Gate::name).toList());
        assertEquals(
                List.of("error_ratio", "p99_ratio", "divergence_bits"),
                file.gates("canary").stream().map(Gate::name).toList());
    }

    @Test
    void aSoundFileHasNoProblems() {
        assertEquals(List.of(), AnalysisFile.parse(SOUND).problems());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "checkSeconds: 5|checkSeconds: 0|checkSeconds must be a whole number of seconds, at least 1",
                "seconds: 20|seconds: 22|shadow.seconds must be a whole number of seconds, a multiple of checkSeconds (5)",
                "stepSeconds: 10|stepSeconds: 2.5|canary.stepSeconds must be a whole number of seconds, a multiple of checkSeconds (5)",
                "mirrorPercent: 100|mirrorPercent: 0|shadow.mirrorPercent must be a whole number from 1 to 100",
                "[10, 100]|[100, 10]|canary.weights must be rising whole percentages from 1 to 100, the last 100",
                "[10, 100]|[10, 50]|canary.weights must be rising whole percentages from 1 to 100, the last 100",
                "[10, 100]|[]|canary.weights must be rising whole percentages from 1 to 100, the last 100",
                "candidate: role|Candidate: role|args must map names (a-z, 0-9, -) to strings",
                "candidate: role=\"candidate\"|window: 60s|args.window is set by the run, not the file",
                "http://prometheus:9090|prometheus:9090|kubernetes.prometheusAddress must be an http(s) URL",
                "name: errors, phase: shadow|name: Errors, phase: shadow|gates[0] (Errors): name must be a-z, 0-9 and _",
                "phase: canary|phase: live|gates[1] (errors): phase must be shadow or canary",
                "max: 0.01|max: 0.01, min: 0|gates[0] (errors): give one threshold, min or max",
                "min: 1,|minimum: 1,|gates[1] (errors): give one threshold, min or max",
                "max: 0.01|max: high|gates[0] (errors): max must be a number",
                "minRequests: 0|minRequests: -1|gates[1] (errors): minRequests must be a whole number",
                "requests: \"sum(up)\"|requests: \"\"|gates[1] (errors): query and requests must be PromQL",
                "{{args.champion-window}}|{{args.nope}}|gates[1] (errors): {{args.nope}} is neither in args nor window or champion-window",
                "phase: canary|phase: shadow|gate errors in shadow is defined twice",
                "phase: canary|phase: shadow|no gate for the canary phase",
            })
    void eachProblemIsNamed(String from, String to, String problem) {
        assertTrue(SOUND.contains(from), from);
        List<String> problems = AnalysisFile.parse(SOUND.replace(from, to)).problems();
        assertTrue(problems.stream().anyMatch(p -> p.contains(problem)), "expected '" + problem + "' in " + problems);
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        String broken = SOUND.replace("checkSeconds: 5", "checkSeconds: 0").replace("[10, 100]", "[10]");
        assertEquals(
                List.of(
                        "checkSeconds must be a whole number of seconds, at least 1",
                        "canary.weights must be rising whole percentages from 1 to 100, the last 100 (such as [5, 25, 50, 100])"),
                AnalysisFile.parse(broken).problems());
    }

    @Test
    void aFileThatIsNotAMappingOrNotYamlIsRefused() {
        assertEquals(
                List.of("the file must be a YAML mapping"),
                AnalysisFile.parse("- a\n- b\n").problems());
        assertThrows(IllegalArgumentException.class, () -> AnalysisFile.parse("[1"));
    }

    @Test
    void placeholdersAreFilledWithOrWithoutSpacesAndTheRestKept() {
        String query = "x{ {{args.candidate}} }[{{ args.window }}] {{args.other}}";
        assertEquals(List.of("candidate", "window", "other"), AnalysisFile.placeholders(query));
        assertEquals(
                "x{ role=\"c\" }[60s] {{args.other}}",
                AnalysisFile.fill(query, Map.of("candidate", "role=\"c\"", "window", "60s")));
        assertEquals("a $1 \\ b", AnalysisFile.fill("a {{args.x}} b", Map.of("x", "$1 \\")), "values are literal");
        assertEquals("a b (c)", AnalysisFile.oneLine("  a\n  b\t(c)\n"));
    }

    @Test
    void aGateIsJudgedOnlyOnceItHasItsRequests() {
        Gate gate = AnalysisFile.parse(SOUND).gates("shadow").get(0);
        assertEquals("<=", gate.op());
        assertEquals("0.01", gate.thresholdText());
        assertEquals(
                "(sum(rate(x{ {{args.candidate}} }[{{ args.window }}]))) and on() ((sum(up{ {{args.candidate}} })) >= 5)",
                gate.judged());
        Gate canary = AnalysisFile.parse(SOUND).gates("canary").get(0);
        assertEquals(">=", canary.op());
        assertEquals("1", canary.thresholdText());
    }

    @ParameterizedTest
    @CsvSource({"0.01,0.01", "1.5,1.5", "1.0,1", "500,500", "0.0001,0.0001", "1e-6,0.000001"})
    void thresholdsAreWrittenAsDecimals(String yaml, String text) {
        Gate gate = AnalysisFile.parse(SOUND.replace("max: 0.01", "max: " + yaml))
                .gates("shadow")
                .get(0);
        assertEquals(text, gate.thresholdText());
    }
}
