package io.plinth.itests;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Test;

/**
 * Hub calls between two nodes of a cluster on loopback (the cluster channel: JGroups over TLS
 * 1.3), against calls within one node: an echo instance on the first node calls, through its hub,
 * an echo instance on the same node and one on the other, many times in a row, and reports the
 * percentiles it measured; then it casts to the other node's instance, which counts what arrives.
 * Prints results; asserts nothing about speed.
 */
public class ClusterBenchmark {

    private static final int CALLS = 20_000;
    private static final int CASTS = 50_000;

    @Test
    public void crossNodeCalls() throws Exception {
        try (NodeProcess first = new NodeProcess(Path.of("target/nodes/bench-first"), 20000);
             NodeProcess second = new NodeProcess(Path.of("target/nodes/bench-second"), 21000)) {
            TestCluster.form("bench", first, List.of(second));
            TestCluster.registerEcho(first);
            if (!TestCluster.awaitTypes(second, 2)) {
                throw new AssertionError("the echo types did not reach the second node");
            }
            String caller = TestCluster.echoInstances(first, "1.0.0", 1, "callers").get(0);
            String near = TestCluster.echoInstances(first, "1.0.0", 1, "near").get(0);
            String far = TestCluster.echoInstances(second, "1.0.0", 1, "far").get(0);
            while (first.http().get("/groups/far/members").json().size() < 1) {
                Thread.sleep(50);
            }
            // Calls first, then casts: a burst of casts leaves garbage that would weigh on the calls' tail.
            for (String round : List.of("warm-up", "measured")) {
                JsonNode local = timed(first, caller, near);
                JsonNode remote = timed(first, caller, far);
                if (round.equals("measured")) {
                    Percentiles.report(line("hub call to an instance on the same node", local));
                    Percentiles.report(line("hub call to an instance on another node (loopback, TLS 1.3)", remote));
                }
            }
            castsDelivered(first, second, caller, far);
            Percentiles.report(String.format("hub casts to an instance on another node: %.0f casts/s delivered (%d casts from one sender)",
                    castsDelivered(first, second, caller, far), CASTS));
        }
    }

    /**
     * Casts from the caller to the far instance, then waits until the far instance has counted
     * them all: casts per second from the first cast to the last arrival.
     */
    private static double castsDelivered(NodeProcess node, NodeProcess farNode, String caller, String far) throws Exception {
        int casts = CASTS;
        long before = tallied(farNode, far);
        long start = System.nanoTime();
        Http.Answer sent = node.http().post("/calls", "{\"target\":\"instance:" + caller + "\",\"operation\":\"cast-burst\","
                + "\"inputs\":{\"target\":\"instance:" + far + "\",\"count\":\"" + casts + "\"},\"expiryMs\":300000}");
        if (sent.status() != 200 || sent.json().get(0).hasNonNull("error")) {
            throw new AssertionError("the probe failed: " + sent.body());
        }
        while (tallied(farNode, far) < before + casts) {
            if (System.nanoTime() - start > 120_000_000_000L) {
                throw new AssertionError("casts lost: " + (tallied(farNode, far) - before) + " of " + casts + " arrived");
            }
            Thread.sleep(5);
        }
        return casts / ((System.nanoTime() - start) / 1e9);
    }

    private static long tallied(NodeProcess node, String instance) throws Exception {
        Http.Answer answer = node.http().post("/calls", "{\"target\":\"instance:" + instance + "\",\"operation\":\"tallied\"}");
        return answer.json().get(0).get("outputs").get("tallied").asLong();
    }

    private static JsonNode timed(NodeProcess node, String caller, String target) throws Exception {
        Http.Answer answer = node.http().post("/calls", "{\"target\":\"instance:" + caller + "\",\"operation\":\"relay-timed\","
                + "\"inputs\":{\"target\":\"instance:" + target + "\",\"count\":\"" + CALLS + "\"},\"expiryMs\":300000}");
        if (answer.status() != 200 || answer.json().get(0).hasNonNull("error")) {
            throw new AssertionError("the probe failed: " + answer.body());
        }
        return answer.json().get(0).get("outputs");
    }

    private static String line(String what, JsonNode outputs) {
        return String.format("%s: p50 %.1f us, p99 %.1f us, max %.1f us (%s calls in a row)", what,
                outputs.get("p50").asDouble(), outputs.get("p99").asDouble(), outputs.get("max").asDouble(), outputs.get("count").asText());
    }
}
