package io.plinth.itests;

import static org.junit.Assert.assertEquals;

import java.util.List;

/** Node processes made into one cluster the way an admin does it: init on the first, a token for each other. */
final class TestCluster {

    private TestCluster() {
    }

    /** Starts the nodes, waits for them, and has the others join the first's new cluster {@code name}. */
    static void form(String name, NodeProcess first, List<NodeProcess> others) throws Exception {
        List<NodeProcess> all = new java.util.ArrayList<>(others);
        all.add(0, first);
        startAll(all);
        initialize(first, name);
        for (NodeProcess node : others) {
            join(first, node);
        }
    }

    static void startAll(List<NodeProcess> nodes) throws Exception {
        for (NodeProcess node : nodes) {
            node.start();
        }
        for (NodeProcess node : nodes) {
            node.awaitUp(java.time.Duration.ofSeconds(120));
        }
    }

    static void initialize(NodeProcess first, String name) throws Exception {
        Http.Answer created = first.http().post("/cluster", "{\"name\":\"" + name + "\"}");
        assertEquals(created.body(), 201, created.status());
    }

    /**
     * {@code node} joins the cluster of {@code member}, which holds the CA, with a fresh token, and
     * is in the member's view within 30 s (joins one at a time, as an admin does them: nodes whose
     * channels start together first form views apart, which take a few merges to join).
     */
    static void join(NodeProcess member, NodeProcess node) throws Exception {
        String token = member.http().post("/cluster/tokens", "{}").json().get("token").asText();
        Http.Answer joined = node.http().post("/cluster/join", "{\"token\":\"" + token + "\"}");
        assertEquals(joined.body(), 200, joined.status());
        long deadline = System.currentTimeMillis() + 30_000;
        while (!inView(member, node.name())) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(node.name() + " is not in the view of " + member.name() + " 30 s after joining");
            }
            Thread.sleep(50);
        }
    }

    /** Whether {@code node} is in the view of {@code member} (available or unavailable, not gone). */
    static boolean inView(NodeProcess member, String node) throws Exception {
        for (com.fasterxml.jackson.databind.JsonNode seen : member.http().get("/cluster/members").json()) {
            String state = seen.get("state").asText();
            if (seen.get("name").asText().equals(node) && (state.equals("AVAILABLE") || state.equals("UNAVAILABLE"))) {
                return true;
            }
        }
        return false;
    }

    /** Registers the echo example's two versions (on one node: the others get them from it). */
    static void registerEcho(NodeProcess node) throws Exception {
        for (String version : List.of("1.0.0", "2.0.0")) {
            Http.Answer type = node.http().post("/types", "{\"name\":\"echo\",\"version\":\"" + version + "\",\"kind\":\"bundle\","
                    + "\"artifact\":\"mvn:io.plinth.examples/echo/" + version + "\"}");
            assertEquals(type.body(), 201, type.status());
        }
    }

    /** Whether, within 10 s, a node has {@code count} component types. */
    static boolean awaitTypes(NodeProcess node, int count) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (node.http().get("/types").json().size() == count) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Creates echo instances on a node (through its own REST API) in a group; answers their ids. */
    static List<String> echoInstances(NodeProcess node, String version, int count, String group) throws Exception {
        Http.Answer created = node.http().post("/instances", "{\"type\":\"echo\",\"version\":\"" + version + "\",\"count\":" + count
                + ",\"groups\":[\"" + group + "\"],\"node\":\"" + node.name() + "\"}");
        assertEquals(created.body(), 201, created.status());
        List<String> ids = new java.util.ArrayList<>();
        created.json().forEach(instance -> ids.add(instance.get("id").asText()));
        return ids;
    }
}
