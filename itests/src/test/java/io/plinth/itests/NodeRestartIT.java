package io.plinth.itests;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Test;

/**
 * Desired state survives a restart: types and instances registered over REST on a node running as
 * a real process come back, available and answering, after the node is stopped and started again.
 */
public class NodeRestartIT {

    @Test
    public void typesAndInstancesComeBackAfterARestart() throws Exception {
        try (NodeProcess node = new NodeProcess(Path.of("target/nodes/restart"), 20000)) {
            node.start();
            node.awaitUp(Duration.ofSeconds(90));
            Http http = node.http();
            assertEquals(201, http.post("/types", "{\"name\":\"echo\",\"version\":\"2.0.0\",\"kind\":\"bundle\","
                    + "\"artifact\":\"mvn:io.plinth.examples/echo/2.0.0\"}").status());
            Http.Answer created = http.post("/instances", "{\"type\":\"echo\",\"version\":\"2.0.0\",\"count\":3,\"groups\":[\"kept\"]}");
            assertEquals(created.body(), 201, created.status());
            Set<String> ids = ids(created.json());

            node.stop();
            node.start();
            node.awaitUp(Duration.ofSeconds(90));

            assertEquals(1, http.get("/types").json().size());
            assertEquals(ids, ids(awaitMembers(http, "kept", 3)));
            Http.Answer replies = http.post("/calls", "{\"target\":\"group:kept\",\"selector\":\"all\",\"operation\":\"echo\","
                    + "\"inputs\":{\"message\":\"back\"}}");
            assertEquals(replies.body(), 3, replies.json().size());
            for (JsonNode reply : replies.json()) {
                assertEquals("BACK", reply.get("outputs").get("message").asText());
            }
        }
    }

    private static JsonNode awaitMembers(Http http, String group, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        JsonNode members = null;
        while (System.currentTimeMillis() < deadline) {
            members = http.get("/groups/" + group + "/members").json();
            if (members.size() == count) {
                return members;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("group " + group + " has " + members);
    }

    private static Set<String> ids(JsonNode instancesOrMembers) {
        Set<String> ids = new HashSet<>();
        for (JsonNode node : instancesOrMembers) {
            ids.add((node.has("id") ? node.get("id") : node.get("instanceId")).asText());
        }
        return ids;
    }
}
