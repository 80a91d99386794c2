package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The hub and component types across two nodes of a cluster, "north" and "south", each a real
 * process: types registered on one node reach the other (also one that joins later), groups hold
 * the instances of both, calls, selectors and attributes reach across, a node marked unavailable
 * is skipped, and the instances of a node that dies leave every group.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING) // the last test kills a node
public class ClusterHubIT {

    private static NodeProcess north;
    private static NodeProcess south;

    @BeforeClass
    public static void formCluster() throws Exception {
        north = new NodeProcess(Path.of("target/nodes/north"), 20000);
        south = new NodeProcess(Path.of("target/nodes/south"), 21000);
        TestCluster.startAll(List.of(north, south));
        TestCluster.initialize(north, "hub-test");
        TestCluster.registerEcho(north); // before south joins: south gets the types when it does
        TestCluster.join(north, south);
        assertTrue("the types reach the new node", TestCluster.awaitTypes(south, 2));
    }

    @AfterClass
    public static void stopNodes() throws Exception {
        for (NodeProcess node : java.util.Arrays.asList(north, south)) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    public void componentTypesRegisteredOnOneNodeReachTheOthers() throws Exception {
        Http.Answer registered = south.http().post("/types", "{\"name\":\"web\",\"version\":\"1.0.0\",\"kind\":\"bundle\","
                + "\"artifact\":\"mvn:io.plinth.examples/web/1.0.0\"}");
        assertEquals(registered.body(), 201, registered.status());
        assertTrue("registered on south, there on north", TestCluster.awaitTypes(north, 3));
        assertEquals(204, north.http().delete("/types/web/1.0.0").status());
        assertTrue("unregistered on north, gone from south", TestCluster.awaitTypes(south, 2));
    }

    @Test
    public void groupsCallsAndAttributesSpanTheCluster() throws Exception {
        List<String> northIds = TestCluster.echoInstances(north, "1.0.0", 2, "dist");
        List<String> southIds = TestCluster.echoInstances(south, "2.0.0", 2, "dist");
        assertTrue("north sees all four members", awaitMembers(north, 4));
        JsonNode members = north.http().get("/groups/dist/members").json();
        Set<String> nodes = new TreeSet<>();
        members.forEach(member -> nodes.add(member.get("node").asText()));
        assertEquals(Set.of("north", "south"), nodes);
        assertTrue("south sees all four members", awaitMembers(south, 4));

        // every selector, from north
        JsonNode all = call(north, "{\"target\":\"group:dist\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"hello\"}}");
        List<String> messages = new ArrayList<>();
        all.forEach(reply -> messages.add(reply.get("outputs").get("message").asText()));
        java.util.Collections.sort(messages);
        assertEquals(List.of("HELLO", "HELLO", "hello", "hello"), messages);
        JsonNode remote = call(north, "{\"target\":\"instance:" + southIds.get(0) + "\",\"operation\":\"echo\",\"inputs\":{\"message\":\"hi\"}}");
        assertEquals("HI", remote.get(0).get("outputs").get("message").asText());
        assertEquals(southIds.get(0), remote.get(0).get("instanceId").asText());
        for (int i = 0; i < 4; i++) {
            JsonNode local = call(north, "{\"target\":\"group:dist\",\"selector\":\"local\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}");
            assertTrue("local prefers this node", northIds.contains(local.get(0).get("instanceId").asText()));
        }
        Set<String> answeredBy = new TreeSet<>();
        for (int i = 0; i < 8; i++) {
            answeredBy.add(call(north, "{\"target\":\"group:dist\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}")
                    .get(0).get("instanceId").asText());
        }
        assertEquals("any spreads over both nodes", 4, answeredBy.size());
        // a cast from north reaches south's instance (one way: counted where it arrives)
        Http.Answer cast = north.http().post("/casts", "{\"target\":\"instance:" + southIds.get(0) + "\",\"operation\":\"tally\"}");
        assertTrue(cast.body(), cast.status() / 100 == 2);
        assertTrue("the cast arrived", awaitTallied(south, southIds.get(0), 1));

        // a component on north calling, through its hub, a component on south
        JsonNode relayed = call(north, "{\"target\":\"instance:" + northIds.get(0) + "\",\"operation\":\"relay\","
                + "\"inputs\":{\"message\":\"via\",\"target\":\"instance:" + southIds.get(1) + "\"}}");
        assertEquals("VIA", relayed.get(0).get("outputs").get("message").asText());
        assertEquals(southIds.get(1), relayed.get(0).get("outputs").get("via").asText());

        // attributes are published by the instance's own node, and seen on the other
        assertEquals(204, south.http().put("/attributes/instance:" + southIds.get(0) + "/load", "{\"value\":\"7\"}").status());
        assertTrue("the attribute reaches north", awaitAttribute(north, southIds.get(0), "load", "7"));
        JsonNode leastLoaded = call(north, "{\"target\":\"group:dist\",\"selector\":\"least-loaded:load\",\"operation\":\"echo\","
                + "\"inputs\":{\"message\":\"x\"}}");
        assertTrue(!southIds.get(0).equals(leastLoaded.get(0).get("instanceId").asText()));
        Http.Answer elsewhere = north.http().put("/attributes/instance:" + southIds.get(0) + "/load", "{\"value\":\"1\"}");
        assertEquals("an instance is changed on its own node: " + elsewhere.body(), 409, elsewhere.status());

        // south marked unavailable from north: its instances answer when addressed, but selectors skip them
        Http.Answer marked = north.http().post("/cluster/members/south/unavailable", "");
        assertEquals(marked.body(), 200, marked.status());
        assertEquals("UNAVAILABLE", marked.json().get("state").asText());
        assertTrue("selectors skip south", awaitSelected(north, Set.copyOf(northIds)));
        assertEquals(2, call(north, "{\"target\":\"group:dist\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}").size());
        assertEquals("HI", call(north, "{\"target\":\"instance:" + southIds.get(0) + "\",\"operation\":\"echo\",\"inputs\":{\"message\":\"hi\"}}")
                .get(0).get("outputs").get("message").asText());
        assertEquals("south knows it too", "UNAVAILABLE", state(south, "south"));
        assertEquals(200, south.http().post("/cluster/members/south/available", "").status());
        assertTrue("selectors pick south again", awaitSelected(north, new TreeSet<>(List.of(northIds.get(0), northIds.get(1), southIds.get(0), southIds.get(1)))));

        // one instance ends on south: it leaves north's view of the group too
        assertEquals(200, south.http().post("/instances/" + southIds.get(1) + "/destroy", "{}").status());
        assertTrue("a destroyed remote member leaves", awaitMembers(north, 3));

        // south dies: north (the first name, so the half that decides) re-creates south's instance
        long killed = System.nanoTime();
        south.kill();
        assertTrue("the dead node's instance is re-created on north", awaitMemberOn(north, southIds.get(0), "north"));
        System.out.printf("kill -9 of a node: its instance re-created on the other node after %d ms%n",
                (System.nanoTime() - killed) / 1_000_000);
        assertEquals("a node that vanished is failed", "FAILED", state(north, "south"));
        assertEquals(3, call(north, "{\"target\":\"group:dist\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}").size());
        assertEquals("HI", call(north, "{\"target\":\"instance:" + southIds.get(0) + "\",\"operation\":\"echo\",\"inputs\":{\"message\":\"hi\"}}")
                .get(0).get("outputs").get("message").asText());
    }

    /** Whether, within a few seconds, 12 calls with the any selector are answered by exactly {@code expected}. */
    private static boolean awaitSelected(NodeProcess node, Set<String> expected) throws Exception {
        for (int round = 0; round < 50; round++) {
            Set<String> answeredBy = new TreeSet<>();
            for (int i = 0; i < 12; i++) {
                answeredBy.add(call(node, "{\"target\":\"group:dist\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}")
                        .get(0).get("instanceId").asText());
            }
            if (answeredBy.equals(expected)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static boolean awaitTallied(NodeProcess node, String instance, long count) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (call(node, "{\"target\":\"instance:" + instance + "\",\"operation\":\"tallied\"}").get(0).get("outputs")
                    .get("tallied").asLong() == count) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static String state(NodeProcess node, String name) throws Exception {
        for (JsonNode member : node.http().get("/cluster/members").json()) {
            if (member.get("name").asText().equals(name)) {
                return member.get("state").asText();
            }
        }
        return "absent";
    }

    private static JsonNode call(NodeProcess node, String request) throws Exception {
        Http.Answer replies = node.http().post("/calls", request);
        assertEquals(replies.body(), 200, replies.status());
        for (JsonNode reply : replies.json()) {
            assertTrue(reply.toString(), reply.get("error") == null || reply.get("error").isNull());
        }
        return replies.json();
    }

    /** Whether, within 10 s, the group has exactly three members, one of them {@code instance} on {@code host}. */
    private static boolean awaitMemberOn(NodeProcess node, String instance, String host) throws Exception {
        for (int i = 0; i < 200; i++) {
            JsonNode members = node.http().get("/groups/dist/members").json();
            for (JsonNode member : members) {
                if (members.size() == 3 && member.get("instanceId").asText().equals(instance) && member.get("node").asText().equals(host)) {
                    return true;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static boolean awaitMembers(NodeProcess node, int count) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (node.http().get("/groups/dist/members").json().size() == count) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static boolean awaitAttribute(NodeProcess node, String instance, String name, String value) throws Exception {
        for (int i = 0; i < 100; i++) {
            JsonNode attributes = node.http().get("/attributes/instance:" + instance).json();
            if (attributes != null && value.equals(attributes.path(name).asText(null))) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
