package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The component controller across five node processes: instances placed on the least-loaded
 * node or the one asked for, operated on from any node, monitors and links across nodes; a node
 * killed has its instances re-created on the others within 10 s; a node paused for 15 s comes
 * back without duplicates; the whole cluster stopped and started again brings every type and
 * desired instance back, each exactly once; and a node decommissioned under load hands its
 * instances over without a failed call and leaves for good.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING) // each test leaves the cluster as the next expects it
public class ClusterControllerIT {

    private static final List<String> NAMES = List.of("ash", "birch", "cedar", "elm", "fir");
    private static final Map<String, NodeProcess> NODES = new TreeMap<>();

    @BeforeClass
    public static void formCluster() throws Exception {
        int offset = 11000; // ports below 32768, out of the ephemeral range (a connection there once took a cluster port)
        for (String name : NAMES) {
            NODES.put(name, new NodeProcess(Path.of("target/nodes/" + name), offset));
            offset += 1000;
        }
        TestCluster.startAll(List.copyOf(NODES.values()));
        TestCluster.initialize(node("ash"), "controller-test");
        TestCluster.registerEcho(node("ash"));
        for (String name : NAMES.subList(1, NAMES.size())) {
            TestCluster.join(node("ash"), node(name));
        }
        for (String name : NAMES) {
            assertTrue("the types reach " + name, TestCluster.awaitTypes(node(name), 2));
        }
        assertTrue("one view of five", await(() -> node("fir").http().get("/cluster/members").json().size() == 5));
    }

    @AfterClass
    public static void stopNodes() throws Exception {
        for (NodeProcess node : NODES.values()) {
            node.close();
        }
    }

    @Test
    public void a_instancesArePlacedAndOperatedOnFromAnyNode() throws Exception {
        Http.Answer created = node("ash").http().post("/instances",
                "{\"type\":\"echo\",\"version\":\"1.0.0\",\"count\":5,\"groups\":[\"spread\"]}");
        assertEquals(created.body(), 201, created.status());
        Set<String> hosts = new TreeSet<>();
        created.json().forEach(instance -> hosts.add(instance.get("node").asText()));
        assertEquals("one on each node, the least loaded first", Set.copyOf(NAMES), hosts);

        Map<String, JsonNode> seenFromBirch = instances(node("birch"));
        for (JsonNode instance : created.json()) {
            JsonNode seen = seenFromBirch.get(instance.get("id").asText());
            assertNotNull("birch lists every instance of the cluster", seen);
            assertEquals(instance.get("node").asText(), seen.get("node").asText());
            assertEquals("AVAILABLE", seen.get("state").asText());
        }
        String onFir = idOn(created.json(), "fir");
        JsonNode shown = node("cedar").http().get("/instances/" + onFir).json();
        assertEquals("fir", shown.get("node").asText());

        Http.Answer pinned = node("birch").http().post("/instances",
                "{\"type\":\"echo\",\"version\":\"2.0.0\",\"count\":2,\"groups\":[\"pinned\"],\"node\":\"elm\"}");
        assertEquals(pinned.body(), 201, pinned.status());
        pinned.json().forEach(instance -> assertEquals("elm", instance.get("node").asText()));
        Http.Answer nowhere = node("birch").http().post("/instances",
                "{\"type\":\"echo\",\"version\":\"2.0.0\",\"node\":\"nowhere\"}");
        assertEquals(nowhere.body(), 404, nowhere.status());

        // destroyed from a node that neither hosts nor asked for it
        for (JsonNode instance : pinned.json()) {
            Http.Answer destroyed = node("fir").http().post("/instances/" + instance.get("id").asText() + "/destroy", "{}");
            assertEquals(destroyed.body(), 200, destroyed.status());
            assertEquals("DESTROYED", destroyed.json().get("state").asText());
        }
        assertTrue("gone everywhere", await(() -> instances(node("ash")).size() == 5));
    }

    @Test
    public void b_monitorsAndLinksReachAcrossNodes() throws Exception {
        String watcher = TestCluster.echoInstances(node("ash"), "1.0.0", 1, "pairs").get(0);
        String watched = TestCluster.echoInstances(node("cedar"), "1.0.0", 1, "pairs").get(0);
        String left = TestCluster.echoInstances(node("birch"), "1.0.0", 1, "pairs").get(0);
        String right = TestCluster.echoInstances(node("elm"), "1.0.0", 1, "pairs").get(0);
        // set up from a node that hosts none of them
        assertEquals(204, node("fir").http().put("/instances/" + watcher + "/monitors/" + watched, "{}").status());
        assertEquals(204, node("fir").http().put("/instances/" + left + "/links/" + right, "{}").status());
        assertEquals(List.of(right), list(instances(node("birch")).get(left).get("links")));

        assertEquals(200, node("ash").http().post("/instances/" + watched + "/destroy", "{\"reason\":\"boom\"}").status());
        assertTrue("the watcher on ash hears the end on cedar",
                await(() -> downs(node("ash"), watcher).contains(watched + " boom")));

        assertEquals(200, node("cedar").http().post("/instances/" + left + "/destroy", "{\"reason\":\"crashed\"}").status());
        assertTrue("the instance linked on elm ends with the one on birch", await(() -> !instances(node("ash")).containsKey(right)));
        assertEquals(200, node("ash").http().post("/instances/" + watcher + "/destroy", "{}").status());
    }

    @Test
    public void c_instancesOfAKilledNodeAreRecreatedOnTheOthers() throws Exception {
        Watched watched = threeWatched("fir", "doomed", "watchers");
        List<String> doomed = watched.instances();
        String watcher = watched.watcher();
        Set<String> before = instances(node("ash")).keySet();

        long killed = System.nanoTime();
        node("fir").kill();
        assertTrue("fir's instances serve again on the others within 10 s", await(() -> {
            JsonNode members = node("ash").http().get("/groups/doomed/members").json();
            Set<String> ids = new TreeSet<>();
            members.forEach(member -> {
                if (!member.get("node").asText().equals("fir")) {
                    ids.add(member.get("instanceId").asText());
                }
            });
            return ids.equals(Set.copyOf(doomed));
        }, 10_000));
        System.out.printf("kill -9 of a node: its 3 instances serving on the others after %d ms%n", (System.nanoTime() - killed) / 1_000_000);
        Map<String, JsonNode> after = instances(node("birch"));
        assertEquals("nothing lost, nothing added", before, after.keySet());
        for (String id : doomed) {
            assertTrue(after.get(id).get("node").asText() + " runs " + id, !after.get(id).get("node").asText().equals("fir"));
        }
        assertTrue("the watcher hears its target's node failed",
                await(() -> downs(node("ash"), watcher).contains(doomed.get(0) + " noconnection: node fir failed")));
        assertTrue("spread over the four left", hostsOf(after, "doomed").size() >= 2);
    }

    @Test
    public void d_aPausedNodeComesBackWithoutDuplicates() throws Exception {
        Map<String, JsonNode> before = instances(node("ash"));
        List<String> onElm = new ArrayList<>();
        before.forEach((id, instance) -> {
            if (instance.get("node").asText().equals("elm")) {
                onElm.add(id);
            }
        });
        assertTrue("elm hosts instances", !onElm.isEmpty());

        long stopped = System.currentTimeMillis();
        node("elm").signal("STOP");
        try {
            // Measured, not asserted: with five nodes on two cores the others' views may churn meanwhile.
            boolean recreated = await(() -> {
                Map<String, JsonNode> now = instances(node("ash"));
                return onElm.stream().allMatch(id -> now.containsKey(id) && !now.get(id).get("node").asText().equals("elm")
                        && now.get(id).get("state").asText().equals("AVAILABLE"));
            }, 15_000 - (System.currentTimeMillis() - stopped));
            System.out.printf("SIGSTOP: elm's %d instances re-created on the others while it was frozen: %s (%d ms)%n",
                    onElm.size(), recreated, System.currentTimeMillis() - stopped);
            Thread.sleep(Math.max(0, 15_000 - (System.currentTimeMillis() - stopped))); // paused 15 s in all
        } finally {
            node("elm").signal("CONT");
        }
        long resumed = System.nanoTime();
        assertTrue("one cluster of four again", await(() -> inView(node("elm")) == 4 && inView(node("ash")) == 4, 60_000));
        for (String name : List.of("ash", "elm")) {
            assertTrue("every instance exactly once, as seen from " + name, await(() -> exactlyOnce(node(name), before.keySet()), 60_000));
        }
        System.out.printf("SIGSTOP 15 s, SIGCONT: one view, every instance once, after %d ms%n", (System.nanoTime() - resumed) / 1_000_000);
    }

    @Test
    public void e_aWholeClusterRestartBringsEverythingBack() throws Exception {
        Set<String> desired = instances(node("ash")).keySet();
        for (NodeProcess node : NODES.values()) {
            node.close();
        }
        long started = System.nanoTime();
        TestCluster.startAll(List.copyOf(NODES.values())); // fir too: it comes back with the copies it had when killed
        for (String name : NAMES) {
            assertTrue("types back on " + name, TestCluster.awaitTypes(node(name), 2));
        }
        assertTrue("one cluster of five again", await(() -> inView(node("ash")) == 5, 60_000));
        for (String name : List.of("ash", "fir")) {
            assertTrue("every desired instance back exactly once, as seen from " + name,
                    await(() -> exactlyOnce(node(name), desired), 30_000));
        }
        System.out.printf("whole-cluster restart: %d instances back, each once, %d ms after the nodes were started%n",
                desired.size(), (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    public void f_aDecommissionedNodeHandsItsInstancesOverWithoutAFailedCallAndLeavesForGood() throws Exception {
        Watched onCedar = threeWatched("cedar", "spread", "spread");
        Set<String> desired = instances(node("ash")).keySet();
        // The callers below know every instance before the load starts. Patience: the whole cluster
        // restarted just before (the previous test), and five nodes warm up on two cores.
        for (String caller : List.of("birch", "elm")) {
            assertTrue("every instance once before, as " + caller + " sees it", await(() -> exactlyOnce(node(caller), desired), 30_000));
        }

        int members = node("birch").http().get("/groups/spread/members").json().size();
        Load everyMember = new Load(2, () -> everyoneAnswered(node("birch").http().post("/calls",
                "{\"target\":\"group:spread\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}"),
                members));
        Load oneMovingInstance = new Load(2, () -> everyoneAnswered(node("elm").http().post("/calls",
                "{\"target\":\"instance:" + onCedar.instances().get(1) + "\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}"), 1));
        try {
            Http.Answer caNode = node("birch").http().post("/cluster/members/ash/decommission", "");
            assertEquals(caNode.body(), 409, caNode.status());
            assertEquals(404, node("birch").http().post("/cluster/members/nowhere/decommission", "").status());

            long started = System.nanoTime();
            Http.Answer decommissioned = node("birch").http().post("/cluster/members/cedar/decommission", "");
            assertEquals(decommissioned.body(), 202, decommissioned.status());
            assertEquals("DESTROYING", decommissioned.json().get("state").asText());
            assertTrue("cedar drained and left for good", await(() -> stateOf(node("ash"), "cedar").equals("DESTROYED"), 60_000));
            System.out.printf("decommission: cedar's %d instances moved and cedar gone for good after %d ms%n", onCedar.instances().size(),
                    (System.nanoTime() - started) / 1_000_000);
            Thread.sleep(500); // calls after it left, too
        } finally {
            everyMember.stop();
            oneMovingInstance.stop();
        }
        System.out.printf("decommission under load: %d group calls (all %d members) and %d calls to a moving instance, %d failed%n",
                everyMember.successes(), members, oneMovingInstance.successes(),
                everyMember.failures().size() + oneMovingInstance.failures().size());
        assertEquals("failed group calls, the first: " + first(everyMember.failures()), 0, everyMember.failures().size());
        assertEquals("failed calls to the moving instance, the first: " + first(oneMovingInstance.failures()), 0,
                oneMovingInstance.failures().size());
        assertTrue(everyMember.successes() > 0 && oneMovingInstance.successes() > 0);

        Map<String, JsonNode> after = instances(node("ash"));
        assertEquals("nothing lost, nothing added", desired, after.keySet());
        onCedar.instances().forEach(id -> assertTrue(id + " moved", !after.get(id).get("node").asText().equals("cedar")));
        assertTrue("every instance once after", await(() -> exactlyOnce(node("elm"), desired)));
        assertEquals("a move fires no monitor", "", downs(node("ash"), onCedar.watcher()));
        assertTrue("cedar is in no cluster now", await(() -> !node("cedar").http().get("/cluster").json().get("member").asBoolean()));
        assertTrue("and forgot its membership", !java.nio.file.Files.exists(node("cedar").home().resolve("data/plinth/cluster/membership.json")));
        assertEquals("the others forgot cedar's instances", 404, node("ash").http().get("/instances?node=cedar").status());
        assertTrue("the CA revoked cedar's node certificate", await(() -> {
            for (JsonNode certificate : node("ash").http().get("/pki/certificates").json()) {
                String subject = certificate.get("subject").asText();
                if (subject.contains("OU=cedar,") && subject.contains("O=node,")) {
                    return "cessationofoperation".equals(certificate.path("revocationReason").asText());
                }
            }
            return false;
        }));
    }

    // --- helpers --------------------------------------------------------------------------------

    /** Three echo instances and, on ash, one that monitors the first of them. */
    private record Watched(List<String> instances, String watcher) {
    }

    private static Watched threeWatched(String host, String group, String watcherGroup) throws Exception {
        List<String> instances = TestCluster.echoInstances(node(host), "1.0.0", 3, group);
        String watcher = TestCluster.echoInstances(node("ash"), "1.0.0", 1, watcherGroup).get(0);
        assertEquals(204, node("ash").http().put("/instances/" + watcher + "/monitors/" + instances.get(0), "{}").status());
        return new Watched(instances, watcher);
    }

    /** Null when a /calls answer holds {@code expected} replies without error; else what is wrong. */
    private static String everyoneAnswered(Http.Answer replies, int expected) {
        if (replies.status() != 200) {
            return replies.status() + " " + replies.body();
        }
        int answered = 0;
        for (JsonNode reply : replies.json()) {
            if (reply.get("error") != null && !reply.get("error").isNull()) {
                return reply.get("instanceId") + ": " + reply.get("error");
            }
            answered++;
        }
        return answered == expected ? null : answered + " replies, not " + expected;
    }

    private static List<String> first(List<String> failures) {
        return failures.subList(0, Math.min(3, failures.size()));
    }

    /** The state a node shows for another ("absent" when it does not list it). */
    private static String stateOf(NodeProcess node, String name) throws Exception {
        for (JsonNode member : node.http().get("/cluster/members").json()) {
            if (member.get("name").asText().equals(name)) {
                return member.get("state").asText();
            }
        }
        return "absent";
    }

    private static NodeProcess node(String name) {
        return NODES.get(name);
    }

    /** The cluster's instances as a node lists them, by id. */
    private static Map<String, JsonNode> instances(NodeProcess node) throws Exception {
        Http.Answer listed = node.http().get("/instances");
        assertEquals(listed.body(), 200, listed.status());
        Map<String, JsonNode> byId = new TreeMap<>();
        listed.json().forEach(instance -> byId.put(instance.get("id").asText(), instance));
        return byId;
    }

    /**
     * Whether a node lists exactly {@code ids}, each once and available, and every group holds
     * each of its members once.
     */
    private static boolean exactlyOnce(NodeProcess node, Set<String> ids) throws Exception {
        JsonNode listed = node.http().get("/instances").json();
        List<String> seen = new ArrayList<>();
        for (JsonNode instance : listed) {
            if (!instance.get("state").asText().equals("AVAILABLE")) {
                return false;
            }
            seen.add(instance.get("id").asText());
        }
        if (seen.size() != ids.size() || !Set.copyOf(seen).equals(ids)) {
            return false;
        }
        List<String> members = new ArrayList<>();
        for (String group : List.of("spread", "doomed", "watchers")) {
            node.http().get("/groups/" + group + "/members").json().forEach(member -> members.add(member.get("instanceId").asText()));
        }
        return members.size() == ids.size() && Set.copyOf(members).equals(ids);
    }

    private static Set<String> hostsOf(Map<String, JsonNode> instances, String group) {
        Set<String> hosts = new TreeSet<>();
        instances.values().stream().filter(i -> list(i.get("groups")).contains(group)).forEach(i -> hosts.add(i.get("node").asText()));
        return hosts;
    }

    private static int inView(NodeProcess node) throws Exception {
        int count = 0;
        for (JsonNode member : node.http().get("/cluster/members").json()) {
            String state = member.get("state").asText();
            if (state.equals("AVAILABLE") || state.equals("UNAVAILABLE")) {
                count++;
            }
        }
        return count;
    }

    private static String downs(NodeProcess node, String watcher) throws Exception {
        Http.Answer replies = node.http().post("/calls", "{\"target\":\"instance:" + watcher + "\",\"operation\":\"downs\"}");
        assertEquals(replies.body(), 200, replies.status());
        return replies.json().get(0).get("outputs").get("downs").asText();
    }

    private static List<String> list(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static String idOn(JsonNode instances, String host) {
        for (JsonNode instance : instances) {
            if (instance.get("node").asText().equals(host)) {
                return instance.get("id").asText();
            }
        }
        throw new AssertionError("no instance on " + host);
    }

    /** A condition checked through HTTP. */
    private interface Check {
        boolean holds() throws Exception;
    }

    private static boolean await(Check check) throws Exception {
        return await(check, 10_000);
    }

    private static boolean await(Check check, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (check.holds()) {
                    return true;
                }
            } catch (java.io.IOException e) {
                // a node restarting: ask again
            }
            Thread.sleep(100);
        }
        return check.holds();
    }
}
