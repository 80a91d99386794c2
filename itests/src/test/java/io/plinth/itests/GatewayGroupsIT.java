package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The gateway in front of component instances: hub groups of the example "web" component (two
 * versions, built as bundles) serve the routes. Members that come and go change where requests
 * go; an upgrade moves from one group to another under load; a version whose instances crash or
 * fail is rolled back; WebSocket connections pass through.
 */
public class GatewayGroupsIT {

    private static NodeProcess node;
    private static Http rest;
    private static GatewayClient gateway;
    private static String admin;
    private static String proxy;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeClass
    public static void startNode() throws Exception {
        node = GatewayClient.startNode("gateway-groups", 23000);
        gateway = new GatewayClient(node);
        admin = gateway.admin;
        proxy = gateway.proxy;
        rest = node.http();
        for (String version : List.of("1.0.0", "2.0.0")) {
            Http.Answer type = rest.post("/types", "{\"name\":\"web\",\"version\":\"" + version + "\",\"kind\":\"bundle\","
                    + "\"artifact\":\"mvn:io.plinth.examples/web/" + version + "\"}");
            assertEquals(type.body(), 201, type.status());
        }
    }

    @AfterClass
    public static void stopNode() throws Exception {
        node.close();
    }

    @Before
    public void noClusters() throws Exception {
        gateway.removeClusters();
    }

    @Test
    public void aGroupServesARouteAndItsMembersComeAndGo() throws Exception {
        List<String> first = instances("1.0.0", 2, "web-a", "{}");
        addVersion("web-a", 1.0, "{\"mode\":\"INSTANT\"}");
        assertEquals(Set.copyOf(first), instancesAnswering(20));

        List<String> third = instances("1.0.0", 1, "web-a", "{}");
        assertTrue("a new member gets traffic", awaitAnswering(third.get(0)));

        Load load = new Load(4, () -> get("/"));
        Thread.sleep(200);
        for (String leaving : first) {
            Http.Answer destroyed = rest.post("/instances/" + leaving + "/destroy", "{\"graceMs\":500}");
            assertEquals(destroyed.body(), 200, destroyed.status());
        }
        Thread.sleep(300);
        load.stop();
        assertEquals("members leaving cost no request", List.of(), load.failures());
        assertEquals(Set.copyOf(third), instancesAnswering(10));
    }

    @Test
    public void anUpgradeMovesToAnotherGroupUnderLoadWithoutAFailedRequest() throws Exception {
        instances("1.0.0", 2, "web-b1", "{}");
        instances("2.0.0", 2, "web-b2", "{}");
        addVersion("web-b1", 1.0, "{\"mode\":\"INSTANT\"}");
        assertTrue(get("/").body().startsWith("web 1.0.0 "));
        Load load = new Load(4, () -> get("/"));
        Thread.sleep(300);
        addVersion("web-b2", 2.0, "{\"mode\":\"INSTANT\"}");
        Thread.sleep(300);
        load.stop();
        assertEquals(List.of(), load.failures());
        for (int i = 0; i < 10; i++) {
            assertTrue(get("/").body().startsWith("web 2.0.0 "));
        }
    }

    @Test
    public void aVersionWhoseInstancesCrashIsRolledBackUnderLoad() throws Exception {
        rolledBackUnderLoad("crash");
    }

    @Test
    public void aVersionWhoseInstancesFailIsRolledBackUnderLoad() throws Exception {
        rolledBackUnderLoad("error");
    }

    @Test
    public void aVersionWhoseGroupIsEmptyIsRolledBack() throws Exception {
        instances("1.0.0", 1, "web-d1", "{}");
        addVersion("web-d1", 1.0, "{\"mode\":\"INSTANT\"}");
        String id = addVersion("web-nobody", 2.0, "{\"mode\":\"INSTANT\"}");
        for (int i = 0; i < 10; i++) {
            assertTrue("the previous version answers", get("/").body().startsWith("web 1.0.0 "));
        }
        assertTrue("rolled back", awaitRolledBack(id, Duration.ofSeconds(1)) != null);
    }

    @Test
    public void webSocketsPassThrough() throws Exception {
        instances("2.0.0", 1, "web-ws", "{}");
        addVersion("web-ws", 1.0, "{\"mode\":\"INSTANT\"}");
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + node.gatewayPort() + "/ws"),
                new WebSocket.Listener() {
                    private final StringBuilder message = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        message.append(data);
                        if (last) {
                            received.add(message.toString());
                            message.setLength(0);
                        }
                        webSocket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(10, TimeUnit.SECONDS);
        assertEquals("the backend speaks first", "web 2.0.0 ready", received.poll(10, TimeUnit.SECONDS));
        String big = "x".repeat(60_000);
        for (String text : List.of("hello", "again", big)) {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
            String echoed = received.poll(10, TimeUnit.SECONDS);
            assertTrue("the echo of " + text.length() + " characters, not " + (echoed == null ? "nothing" : echoed.length()),
                    ("web 2.0.0: " + text).equals(echoed));
        }
        for (int i = 0; i < 200; i++) { // a burst: both directions fill up and must wait for each other
            socket.sendText(i + big, true).get(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 200; i++) {
            String echoed = received.poll(10, TimeUnit.SECONDS);
            assertTrue("burst message " + i, ("web 2.0.0: " + i + big).equals(echoed));
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertTrue("plain requests still pass", get("/").body().startsWith("web 2.0.0 "));
    }

    /** v2's instances misbehave as {@code fault} says: within 1 s of its arrival it gets no more traffic. */
    private void rolledBackUnderLoad(String fault) throws Exception {
        instances("1.0.0", 2, "web-" + fault + "1", "{}");
        instances("2.0.0", 2, "web-" + fault + "2", "{\"fault\":\"" + fault + "\"}");
        addVersion("web-" + fault + "1", 1.0, "{\"mode\":\"INSTANT\"}");
        Load load = new Load(4, () -> get("/"));
        Thread.sleep(200);
        long added = System.nanoTime();
        String id = addVersion("web-" + fault + "2", 2.0, "{\"mode\":\"INSTANT\"}");
        JsonNode rolledBack = awaitRolledBack(id, Duration.ofSeconds(5));
        long tookMillis = (System.nanoTime() - added) / 1_000_000;
        Thread.sleep(300);
        load.stop();
        assertEquals(List.of(), load.failures());
        assertTrue("not rolled back", rolledBack != null);
        System.out.printf("rollback of a component version with fault %s: %d ms after it was added (%s)%n",
                fault, tookMillis, rolledBack.get("reason").asText());
        assertTrue("rolled back after " + tookMillis + " ms", tookMillis <= 1000);
    }

    // --- helpers ------------------------------------------------------------------------------

    /** Creates instances of the web component in a group; answers their ids. */
    private List<String> instances(String version, int count, String group, String configuration) throws Exception {
        Http.Answer created = rest.post("/instances", "{\"type\":\"web\",\"version\":\"" + version + "\",\"count\":" + count
                + ",\"groups\":[\"" + group + "\"],\"configuration\":" + configuration + "}");
        assertEquals(created.body(), 201, created.status());
        List<String> ids = new ArrayList<>();
        created.json().forEach(instance -> ids.add(instance.get("id").asText()));
        return ids;
    }

    /** Adds a version served by a hub group through the seed's API (its one extension: "group"). */
    private String addVersion(String group, double version, String transition) throws Exception {
        HttpResponse<String> put = gateway.send("PUT", admin, "{\"cluster\": {\"group\":\"" + group + "\",\"version\": " + version
                + ",\"upgradeTransition\": " + transition + "}}");
        assertEquals(put.body(), 202, put.statusCode());
        return put.body();
    }

    private JsonNode awaitRolledBack(String id, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() - deadline < 0) {
            JsonNode rolledBack = gateway.cluster(id).get("rolledBack");
            if (rolledBack != null) {
                return rolledBack;
            }
            Thread.sleep(10);
        }
        return null;
    }

    /** The instances that answered {@code requests} requests (the third word of the web component's answer). */
    private Set<String> instancesAnswering(int requests) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> answer = get("/");
            assertEquals(answer.body(), 200, answer.statusCode());
            seen.add(answer.body().split(" ")[2]);
        }
        return seen;
    }

    private boolean awaitAnswering(String instance) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (instancesAnswering(3).contains(instance)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return gateway.send("GET", proxy + path, null);
    }

}
