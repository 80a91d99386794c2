package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * A three-node cluster upgraded, node by node, from this build to the next while clients call
 * components through every node's REST API and gateway; then a broken build, which the first node
 * rolls back and the others never see; then a build with a new API bundle, which would restart the
 * components: refused without force, carried out with it; and the same broken, rolled back. The "next" builds are this build's jars republished
 * under release versions, as a release would publish them, into each node's system repository.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PlatformUpgradeIT {

    private static final String NEXT = "0.1.1";
    private static final String BROKEN = "0.1.2";
    private static final String NEW_API = "0.1.3";
    private static final String BROKEN_NEW_API = "0.1.4";

    private static final List<NodeProcess> NODES = new ArrayList<>();
    private static final HttpClient GATEWAY = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeClass
    public static void formCluster() throws Exception {
        int offset = 12000;
        for (String name : List.of("maple", "linden", "rowan")) {
            NodeProcess node = new NodeProcess(Path.of("target/nodes/" + name), offset);
            offset += 1000;
            node.configure("io.plinth.upgrade.cfg", "healthTimeoutSeconds", "20");
            // Builds come from the node's system repository only: a missing one must not be looked for on the Internet.
            Path maven = node.home().resolve("etc/org.ops4j.pax.url.mvn.cfg");
            Files.writeString(maven, Files.readString(maven).replaceAll("(?m)^org\\.ops4j\\.pax\\.url\\.mvn\\.repositories\\s*=(.*\\\\\\n)*.*$",
                    "org.ops4j.pax.url.mvn.repositories ="));
            Path system = node.home().resolve("system");
            Releases.publish(system, NEXT, false, false);
            Releases.publish(system, BROKEN, true, false);
            Releases.publish(system, NEW_API, false, true);
            Releases.publish(system, BROKEN_NEW_API, true, true);
            NODES.add(node);
        }
        TestCluster.form("upgrade-test", NODES.get(0), NODES.subList(1, 3));
        TestCluster.registerEcho(NODES.get(0));
        for (String version : List.of("1.0.0", "2.0.0")) {
            Http.Answer web = NODES.get(0).http().post("/types", "{\"name\":\"web\",\"version\":\"" + version + "\",\"kind\":\"bundle\","
                    + "\"artifact\":\"mvn:io.plinth.examples/web/" + version + "\"}");
            assertEquals(web.body(), 201, web.status());
        }
        for (NodeProcess node : NODES) {
            assertTrue("the types reach " + node.name(), TestCluster.awaitTypes(node, 4));
            TestCluster.echoInstances(node, "1.0.0", 2, "echo");
            Http.Answer webs = node.http().post("/instances", "{\"type\":\"web\",\"version\":\"1.0.0\",\"count\":1,\"groups\":[\"web\"],"
                    + "\"node\":\"" + node.name() + "\"}");
            assertEquals(webs.body(), 201, webs.status());
            Http.Answer route = node.http().post("/routes/default/versions", "{\"version\":1.0,\"group\":\"web\",\"mode\":\"INSTANT\"}");
            assertTrue(route.body(), route.status() / 100 == 2);
        }
        for (NodeProcess node : NODES) {
            assertEquals(200, gateway(node).statusCode());
        }
    }

    @AfterClass
    public static void stopNodes() throws Exception {
        for (NodeProcess node : NODES) {
            node.close();
        }
    }

    @Test
    public void a_theClusterIsUpgradedNodeByNodeUnderLoad() throws Exception {
        JsonNode plans = dryRun(NEXT);
        assertEquals(plans.toString(), 3, plans.size());
        for (JsonNode plan : plans) {
            assertEquals(plan.toString(), Releases.SUB_SYSTEMS.size(), plan.get("update").size());
            assertEquals(plan.toString(), 0, plan.get("refresh").size()); // impl bundles export nothing
            assertEquals(plan.toString(), 0, plan.get("install").size() + plan.get("uninstall").size());
        }
        Load load = load();
        long start = System.nanoTime();
        JsonNode upgrade = upgrade(NEXT, false);
        double seconds = (System.nanoTime() - start) / 1e9;
        load.stop();
        assertEquals(upgrade.toString(), "SUCCEEDED", upgrade.get("state").asText());
        List<String> nodeSeconds = new ArrayList<>();
        for (JsonNode node : upgrade.get("nodes")) {
            assertEquals(node.toString(), "SUCCEEDED", node.get("state").asText());
            nodeSeconds.add(node.get("node").asText() + " " + node.get("millis").asLong() / 1000.0 + " s");
        }
        assertEquals("every node runs the build now", List.of(NEXT, NEXT, NEXT), platformVersions(NEXT));
        String figures = String.format("Platform upgrade: 3 nodes upgraded %s -> %s with --cluster in %.1f s (%s); %d requests under"
                + " load, %d failed, slowest %.0f ms", System.getProperty("plinth.version"), NEXT, seconds, String.join(", ", nodeSeconds),
                load.successes(), load.failures().size(), load.slowestMillis());
        System.out.println(figures);
        Files.writeString(Path.of(System.getProperty("plinth.benchmarks")), figures + System.lineSeparator(),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        assertNoFailures(load);
    }

    @Test
    public void b_aBrokenBuildIsRolledBackOnTheFirstNodeAndGoesNoFurther() throws Exception {
        Load load = load();
        JsonNode upgrade = upgrade(BROKEN, false);
        load.stop();
        assertEquals(upgrade.toString(), "FAILED", upgrade.get("state").asText());
        JsonNode first = upgrade.get("nodes").get(0);
        assertEquals(first.toString(), "ROLLED_BACK", first.get("state").asText());
        assertTrue(first.toString(), first.get("message").asText().contains("io.plinth.discovery"));
        for (int i = 1; i < 3; i++) {
            assertEquals(upgrade.toString(), "SKIPPED", upgrade.get("nodes").get(i).get("state").asText());
        }
        assertEquals("every node still runs the last good build", List.of(NEXT, NEXT, NEXT), platformVersions(NEXT));
        System.out.println("Broken build: rolled back on " + first.get("node").asText() + " after " + first.get("millis").asLong() / 1000.0
                + " s; " + load.successes() + " requests, " + load.failures().size() + " failed");
        assertNoFailures(load);
    }

    @Test
    public void c_aBuildThatWouldRestartComponentsNeedsForce() throws Exception {
        JsonNode plan = dryRun(NEW_API).get(0);
        assertEquals(plan.toString(), Releases.SUB_SYSTEMS.size() + 1, plan.get("update").size());
        List<String> beyond = new ArrayList<>();
        plan.get("refreshBeyondPlatform").forEach(name -> beyond.add(name.asText()));
        assertTrue("the example components are wired to the API: " + beyond, beyond.stream().anyMatch(name -> name.startsWith("io.plinth.examples.")));
        String before = NODES.get(0).http().get("/platform/upgrades/current").json().get("id").asText();
        Http.Answer refused = NODES.get(0).http().post("/platform/upgrades", "{\"version\":\"" + NEW_API + "\",\"cluster\":true}");
        assertEquals(refused.body(), 409, refused.status());
        assertTrue(refused.body(), refused.body().contains("force"));
        assertEquals("nothing started", before, NODES.get(0).http().get("/platform/upgrades/current").json().get("id").asText());
        Http.Answer snapshot = NODES.get(0).http().post("/platform/upgrades", "{\"version\":\"0.2.0-SNAPSHOT\",\"dryRun\":true}");
        assertEquals(snapshot.body(), 400, snapshot.status());
        Http.Answer missing = NODES.get(0).http().post("/platform/upgrades", "{\"version\":\"9.9.9\",\"dryRun\":true}");
        assertEquals(missing.body(), 404, missing.status());
    }

    @Test
    public void d_aForcedBuildRestartsWhatIsWiredToTheNewApiAndKeepsEveryInstance() throws Exception {
        Load load = load();
        JsonNode upgrade = upgrade(NEW_API, true);
        load.stop();
        assertEquals(upgrade.toString(), "SUCCEEDED", upgrade.get("state").asText());
        assertEquals("every node runs the build now", List.of(NEW_API, NEW_API, NEW_API), platformVersions(NEW_API));
        assertEquals("echo instances answering after the forced upgrade", 6, echoesAnswering());
        System.out.println("Forced upgrade with a new API bundle: " + upgrade.get("nodes").findValuesAsText("millis") + " ms per node; "
                + load.successes() + " requests, " + load.failures().size() + " failed while components restarted");
    }

    @Test
    public void e_aBrokenBuildWithANewApiIsRolledBackThroughItsRefresh() throws Exception {
        JsonNode upgrade = upgrade(BROKEN_NEW_API, true);
        assertEquals(upgrade.toString(), "FAILED", upgrade.get("state").asText());
        assertEquals(upgrade.toString(), "ROLLED_BACK", upgrade.get("nodes").get(0).get("state").asText());
        assertEquals(upgrade.toString(), "SKIPPED", upgrade.get("nodes").get(1).get("state").asText());
        assertEquals("every node still runs the last good build", List.of(NEW_API, NEW_API, NEW_API), platformVersions(NEW_API));
        assertEquals("echo instances answering after the rollback", 6, echoesAnswering());
        System.out.println("Broken build with a new API bundle: rolled back after " + upgrade.get("nodes").get(0).get("millis").asLong() + " ms");
    }

    private static void assertNoFailures(Load load) {
        assertEquals("failed requests: " + load.failures().subList(0, Math.min(5, load.failures().size())), 0, load.failures().size());
    }

    /** How many echo instances answer a call to all of the group, once they all do or after 30 s. */
    private static int echoesAnswering() throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        int answers;
        do {
            Http.Answer all = NODES.get(0).http().post("/calls",
                    "{\"target\":\"group:echo\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"back\"}}");
            answers = all.status() == 200 ? all.json().size() : 0;
        } while (answers < 6 && System.currentTimeMillis() < deadline && sleep(500));
        return answers;
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    private static JsonNode dryRun(String version) throws Exception {
        Http.Answer plans = NODES.get(0).http().post("/platform/upgrades", "{\"version\":\"" + version + "\",\"dryRun\":true,\"cluster\":true}");
        assertEquals(plans.body(), 200, plans.status());
        return plans.json();
    }

    /** Starts a cluster upgrade on the first node and follows it there until it ends. */
    private static JsonNode upgrade(String version, boolean force) throws Exception {
        Http.Answer started = NODES.get(0).http().post("/platform/upgrades",
                "{\"version\":\"" + version + "\",\"cluster\":true,\"force\":" + force + "}");
        assertEquals(started.body(), 202, started.status());
        String id = started.json().get("id").asText();
        long deadline = System.currentTimeMillis() + 600_000;
        while (System.currentTimeMillis() < deadline) {
            Http.Answer current = NODES.get(0).http().get("/platform/upgrades/current");
            if (current.status() != 200) { // its upgrader, or the REST API, being replaced: shown, not judged (the load judges)
                System.out.println("Following the upgrade to " + version + ": " + current.status() + " " + current.body());
            } else if (current.json().get("id").asText().equals(id) && !current.json().get("state").asText().equals("RUNNING")) {
                return current.json();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the upgrade to " + version + " did not end within 10 minutes");
    }

    /** The platform version each node runs, as its own dry run of {@code version} says (and that it would change nothing). */
    private static List<String> platformVersions(String version) throws Exception {
        List<String> versions = new ArrayList<>();
        for (JsonNode plan : dryRun(version)) {
            assertEquals(plan.toString(), 0, plan.get("update").size());
            versions.add(plan.get("fromVersion").asText());
        }
        return versions;
    }

    /** On every node: hub calls to the echo group through REST, and HTTP through the gateway to the web group. */
    private static Load load() {
        List<Load.Attempt> attempts = new ArrayList<>();
        for (NodeProcess node : NODES) {
            attempts.add(() -> {
                Http.Answer call = node.http().post("/calls", "{\"target\":\"group:echo\",\"operation\":\"echo\",\"inputs\":{\"message\":\"up\"}}");
                return call.status() == 200 ? null : node.name() + " REST " + call.status() + " " + call.body();
            });
            attempts.add(() -> {
                HttpResponse<String> answer = gateway(node);
                return answer.statusCode() == 200 ? null : node.name() + " gateway " + answer.statusCode() + " " + answer.body();
            });
        }
        return new Load(attempts);
    }

    private static HttpResponse<String> gateway(NodeProcess node) throws Exception {
        return GATEWAY.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.gatewayPort() + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
