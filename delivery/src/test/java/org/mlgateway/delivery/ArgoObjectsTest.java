package org.mlgateway.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArgoObjectsTest {

    private final ArgoObjects objects = new ArgoObjects(AnalysisFile.parse(AnalysisFileTest.SOUND));

    @Test
    void eachGateIsAMetricCheckedThroughThePhaseAndOneCountingItsRequestsAtTheEnd() {
        Map<String, Object> shadow = objects.template("shadow");
        List<?> metrics = (List<?>) spec(shadow).get("metrics");
        assertEquals(2, metrics.size());
        Map<?, ?> judged = (Map<?, ?>) metrics.get(0);
        assertEquals("errors", judged.get("name"));
        assertEquals("5s", judged.get("interval"));
        assertEquals(4, judged.get("count"), "20 s checked every 5 s");
        assertEquals("len(result) == 0 || isNaN(result[0]) || result[0] <= 0.01", judged.get("successCondition"));
        assertEquals(
                "(sum(rate(x{ {{args.candidate}} }[{{ args.window }}]))) and on() ((sum(up{ {{args.candidate}} })) >= 5)",
                prometheus(judged).get("query"));
        assertEquals("http://prometheus:9090", prometheus(judged).get("address"));
        Map<?, ?> requests = (Map<?, ?>) metrics.get(1);
        assertEquals("errors_requests", requests.get("name"));
        assertEquals("20s", requests.get("initialDelay"));
        assertEquals("len(result) == 1 && result[0] >= 5", requests.get("successCondition"));
    }

    @Test
    void aTemplateDeclaresTheArgumentsItsQueriesUseWithTheirDefaults() {
        assertEquals(
                List.of(
                        Map.of("name", "candidate", "value", "role=\"candidate\""),
                        Map.of("name", "window", "value", "20s")),
                spec(objects.template("shadow")).get("args"));
        assertEquals(
                List.of(Map.of("name", "champion-window")),
                spec(objects.template("canary")).get("args"),
                "each canary step gives the champion's window");
    }

    @Test
    void eachWeightIsAStepFollowedByTheCanaryGatesOverTheRunSoFar() {
        List<?> steps =
                (List<?>) ((Map<?, ?>) ((Map<?, ?>) spec(objects.steps()).get("strategy")).get("canary")).get("steps");
        assertEquals(
                List.of(
                        Map.of("setWeight", 10),
                        Map.of(
                                "analysis",
                                Map.of(
                                        "templates", List.of(Map.of("templateName", "ml-gateway-canary")),
                                        "args", List.of(Map.of("name", "champion-window", "value", "10s")))),
                        Map.of("setWeight", 100),
                        Map.of(
                                "analysis",
                                Map.of(
                                        "templates", List.of(Map.of("templateName", "ml-gateway-canary")),
                                        "args", List.of(Map.of("name", "champion-window", "value", "20s"))))),
                steps);
    }

    @Test
    void theShadowRunRunsTheShadowTemplate() {
        assertEquals(spec(objects.template("shadow")), spec(objects.shadowRun()));
        assertEquals("ml-gateway-shadow-", ((Map<?, ?>) objects.shadowRun().get("metadata")).get("generateName"));
    }

    /**
     * Candidate and total pods as Argo Rollouts' approximateWeightedCanaryStableReplicaCounts places
     * them, maxSurge 0 or 1: the same answers as the jq version this replaced gave for each case.
     */
    @ParameterizedTest(name = "{0} replicas at {1} %, surge {2}: {3} of {4}")
    @CsvSource({
        "3,5,1,1,4",
        "3,25,1,1,4",
        "3,50,1,2,4",
        "3,100,1,3,3",
        "10,33,1,3,10",
        "1,50,1,1,2",
        "4,50,0,2,4",
        "1,10,0,0,1",
        "6,10,1,1,7"
    })
    void podsAreCountedAsArgoRolloutsCountsThem(int replicas, int weight, int surge, int candidate, int total) {
        assertArrayEquals(new int[] {candidate, total}, ArgoObjects.pods(replicas, weight, surge));
    }

    @Test
    void precisionSaysWhereEachWeightLands() {
        assertEquals("10 % as 1 of 4 pods (25 %); 100 % as 3 of 3 pods (100 %)", objects.precision(3));
        assertEquals("10 % as 1 of 7 pods (14.3 %); 100 % as 6 of 6 pods (100 %)", objects.precision(6));
    }

    private static Map<?, ?> spec(Map<String, Object> object) {
        return (Map<?, ?>) object.get("spec");
    }

    private static Map<?, ?> prometheus(Map<?, ?> metric) {
        return (Map<?, ?>) ((Map<?, ?>) metric.get("provider")).get("prometheus");
    }
}
