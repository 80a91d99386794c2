package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The HTTP gateway of a node run as a process, in front of real backends on loopback: the 003
 * seed's configuration API verbatim, the upgrade modes under load, fall-back to the previous
 * version, and streaming.
 */
public class GatewayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static NodeProcess node;
    private static GatewayClient gateway;
    private static String admin;
    private static String proxy;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Backend> backends = new ArrayList<>();

    @BeforeClass
    public static void startNode() throws Exception {
        node = GatewayClient.startNode("gateway", 22000);
        gateway = new GatewayClient(node);
        admin = gateway.admin;
        proxy = gateway.proxy;
    }

    @AfterClass
    public static void stopNode() throws Exception {
        node.close();
    }

    @Before
    public void noClusters() throws Exception {
        gateway.removeClusters();
    }

    @org.junit.After
    public void stopBackends() {
        backends.forEach(Backend::close);
    }

    @Test
    public void theSeedsApiAnswersAsDocumented() throws Exception {
        Backend a = backend("a", Backend.Behaviour.NORMAL);
        Backend b = backend("b", Backend.Behaviour.NORMAL);
        // Appendix 10.1, with the servers moved to this test's backends.
        HttpResponse<String> put = gateway.send("PUT", admin, "{\"cluster\": {\"servers\":[" + a.asServer() + "," + b.asServer()
                + "],\"version\": 1.1,\"upgradeTransition\": { \"mode\": \"SESSION\", \"sessionTimeout\": 60 }}}");
        assertEquals(202, put.statusCode());
        assertTrue(put.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String id = put.body();
        assertTrue(id, id.matches("[0-9a-f-]{36}"));

        JsonNode one = gateway.cluster(id);
        assertEquals(id, one.get("uuid").asText());
        assertEquals(1.1, one.get("version").asDouble(), 0);
        assertEquals("SESSION", one.get("upgradeTransition").get("mode").asText());
        assertEquals(60, one.get("upgradeTransition").get("sessionTimeout").asInt());
        assertEquals(a.port(), one.get("servers").get(0).get("port").asInt());

        assertEquals(202, gateway.send("PUT", admin, "{\"cluster\": {\"servers\":[" + a.asServer() + "]}}").statusCode());
        HttpResponse<String> all = gateway.send("GET", admin + "/", null);
        assertEquals(200, all.statusCode());
        assertEquals(2, JSON.readTree(all.body()).size());
        assertEquals("INSTANT", JSON.readTree(all.body()).get(1).get("cluster").get("upgradeTransition").get("mode").asText());
        assertEquals(0.0, JSON.readTree(all.body()).get(1).get("cluster").get("version").asDouble(), 0);

        assertEquals(202, gateway.send("DELETE", admin + "/" + id, null).statusCode());
        assertEquals(404, gateway.send("GET", admin + "/" + id, null).statusCode());
        assertEquals(404, gateway.send("DELETE", admin + "/" + id, null).statusCode());
        assertEquals(400, gateway.send("PUT", admin, "{\"cluster\": {\"servers\":[").statusCode());
        assertEquals(400, gateway.send("PUT", admin, "{\"cluster\": {\"servers\":[{\"ip\":\"127.0.0.1\"}]}}").statusCode());
        assertEquals(400, gateway.send("PUT", admin, "{\"cluster\": {\"upgradeTransition\": {\"mode\": \"SESSION\"}}}").statusCode());
        assertEquals(400, gateway.send("PUT", admin, "{\"cluster\": {\"upgradeTransition\": {\"mode\": \"SOMETIMES\"}}}").statusCode());
    }

    @Test
    public void everyModeSwitchesUnderLoadWithoutAFailedRequest() throws Exception {
        String[] transitions = {"{\"mode\": \"INSTANT\"}", "{\"mode\": \"SESSION\", \"sessionTimeout\": 60}",
            "{\"mode\": \"GRADUAL\", \"percentageTransitionPerRequest\": 50}", "{\"mode\": \"CONCURRENT\"}"};
        for (String transition : transitions) {
            noClusters();
            runningVersion1();
            Backend v2 = backend("v2", Backend.Behaviour.NORMAL);
            Load load = new Load(4, () -> get(null));
            Thread.sleep(300);
            addCluster(v2, 2.0, transition);
            Thread.sleep(300);
            load.stop();
            assertEquals(transition, List.of(), load.failures());
            assertTrue(transition + ": the new version had its part", v2.requests() > 0);
        }
        // INSTANT, once more on its own: after the switch the new version answers everything.
        noClusters();
        runningVersion1();
        addCluster(backend("v2", Backend.Behaviour.NORMAL), 2.0, "{\"mode\": \"INSTANT\"}");
        for (int i = 0; i < 10; i++) {
            assertEquals("v2", get(null).body());
        }
    }

    @Test
    public void sessionKeepsExistingSessionsOnTheirVersion() throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NORMAL);
        Backend v2 = backend("v2", Backend.Behaviour.NORMAL);
        addCluster(v1, 1.0, "{\"mode\": \"SESSION\", \"sessionTimeout\": 60}");
        HttpResponse<String> first = get(null);
        assertEquals("v1", first.body());
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

        addCluster(v2, 2.0, "{\"mode\": \"SESSION\", \"sessionTimeout\": 60}");
        for (int i = 0; i < 20; i++) {
            assertEquals("the old session stays on v1", "v1", get(cookie).body());
        }
        HttpResponse<String> fresh = get(null);
        assertEquals("a new session goes to v2", "v2", fresh.body());
        String newCookie = fresh.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        assertEquals("v2", get(newCookie).body());
    }

    @Test
    public void gradualSendsTheConfiguredShareToTheNewVersion() throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NORMAL);
        Backend v2 = backend("v2", Backend.Behaviour.NORMAL);
        addCluster(v1, 1.0, "{\"mode\": \"INSTANT\"}");
        addCluster(v2, 2.0, "{\"mode\": \"GRADUAL\", \"percentageTransitionPerRequest\": 20}");
        int requests = 2000;
        int toNew = 0;
        for (int i = 0; i < requests; i++) {
            toNew += "v2".equals(get(null).body()) ? 1 : 0;
        }
        double share = 100.0 * toNew / requests;
        assertTrue("v2 got " + share + " %", share >= 17 && share <= 23);
    }

    @Test
    public void aLongTermGradualUpdateGrowsTheNewVersionsShareOverItsDuration() throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NORMAL);
        Backend v2 = backend("v2", Backend.Behaviour.NORMAL);
        addCluster(v1, 1.0, "{\"mode\": \"INSTANT\"}");
        addCluster(v2, 2.0, "{\"mode\": \"GRADUAL\", \"percentageTransitionPerRequest\": 0, \"durationSeconds\": 3}");
        int early = 0;
        for (int i = 0; i < 20; i++) {
            early += "v2".equals(get(null).body()) ? 1 : 0;
        }
        assertTrue("at first the new version gets little: " + early + " of 20", early <= 8);
        Thread.sleep(3200);
        for (int i = 0; i < 20; i++) {
            assertEquals("once the duration is over, the new version gets everything", "v2", get(null).body());
        }
        assertEquals(400, gateway.send("PUT", admin, "{\"cluster\": {\"upgradeTransition\": {\"mode\": \"INSTANT\", \"durationSeconds\": 5}}}").statusCode());
    }

    @Test
    public void failingSlowAndDeadVersionsFallBackWithoutAFailedRequest() throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NORMAL);
        Backend v2 = backend("v2", Backend.Behaviour.FAILING);
        addCluster(v1, 1.0, "{\"mode\": \"INSTANT\"}");
        addCluster(v2, 2.0, "{\"mode\": \"INSTANT\"}");
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> answer = get(null);
            assertEquals(200, answer.statusCode());
            assertEquals("v1", answer.body());
        }
        v2.behave(Backend.Behaviour.SLOW);
        assertEquals("a version slower than the read timeout falls back", "v1", get(null).body());
        v2.close();
        for (int i = 0; i < 20; i++) {
            assertEquals("a version that cannot be reached falls back", "v1", get(null).body());
        }
        // A request with a body is not sent twice: the failure reaches the client.
        Backend v3 = backend("v3", Backend.Behaviour.FAILING);
        addCluster(v3, 3.0, "{\"mode\": \"INSTANT\"}");
        assertEquals(500, gateway.send("POST", proxy + "/", "payload").statusCode());
    }

    @Test
    public void aFailingVersionIsRolledBackUnderLoadWithoutAFailedRequest() throws Exception {
        rolledBackUnderLoad(Backend.Behaviour.FAILING, false);
    }

    @Test
    public void aSlowVersionIsRolledBackUnderLoadWithoutAFailedRequest() throws Exception {
        rolledBackUnderLoad(Backend.Behaviour.SLOW, false);
    }

    @Test
    public void aLaggingVersionIsRolledBackUnderLoadWithoutAFailedRequest() throws Exception {
        rolledBackUnderLoad(Backend.Behaviour.LAGGING, false);
    }

    @Test
    public void aCrashedVersionIsRolledBackUnderLoadWithoutAFailedRequest() throws Exception {
        rolledBackUnderLoad(Backend.Behaviour.NORMAL, true);
    }

    /** v2 joins a running v1 under load and misbehaves: within 1 s of its arrival it gets no more traffic. */
    private void rolledBackUnderLoad(Backend.Behaviour behaviour, boolean crashed) throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NORMAL);
        Backend v2 = backend("v2", behaviour);
        if (crashed) {
            v2.close();
        }
        addCluster(v1, 1.0, "{\"mode\": \"INSTANT\"}");
        Load load = new Load(4, () -> get(null));
        Thread.sleep(200);
        long added = System.nanoTime();
        String id = addCluster(v2, 2.0, "{\"mode\": \"INSTANT\"}");
        JsonNode rolledBack = null;
        while (rolledBack == null && System.nanoTime() - added < 5_000_000_000L) {
            rolledBack = gateway.cluster(id).get("rolledBack");
            Thread.sleep(10);
        }
        long tookMillis = (System.nanoTime() - added) / 1_000_000;
        Thread.sleep(300);
        load.stop();
        assertEquals(List.of(), load.failures());
        assertTrue("not rolled back", rolledBack != null);
        System.out.printf("rollback of a %s version: %d ms after it was added (%s)%n",
                crashed ? "crashed" : behaviour.name().toLowerCase(), tookMillis, rolledBack.get("reason").asText());
        assertTrue("rolled back after " + tookMillis + " ms", tookMillis <= 1000);
        int reached = v2.requests();
        for (int i = 0; i < 20; i++) {
            assertEquals("v1", get(null).body());
        }
        assertEquals("a rolled back version gets no traffic", reached, v2.requests());
    }

    @Test
    public void concurrentServesTheOldVersionAndRollsBackANewOneThatAnswersDifferently() throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NORMAL);
        Backend v2 = backend("v2", Backend.Behaviour.NORMAL); // answers "v2" where v1 answers "v1"
        addCluster(v1, 1.0, "{\"mode\": \"INSTANT\"}");
        String id = addCluster(v2, 2.0, "{\"mode\": \"CONCURRENT\"}");
        for (int i = 0; i < 10; i++) {
            assertEquals("the client always gets the old version's answer", "v1", get(null).body());
        }
        assertTrue("the new version got the mirrored requests", v2.requests() > 0);
        JsonNode rolledBack = gateway.cluster(id).get("rolledBack");
        assertTrue("a new version answering differently is rolled back", rolledBack != null);
        assertTrue(rolledBack.get("reason").asText(), rolledBack.get("reason").asText().contains("a different body"));
    }

    @Test
    public void concurrentIgnoresWhatDiffersBetweenTwoAnswersOfTheOldVersion() throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NOISY);
        Backend v2 = backend("v2", Backend.Behaviour.NOISY);
        addCluster(v1, 1.0, "{\"mode\": \"INSTANT\"}");
        String id = addCluster(v2, 2.0, "{\"mode\": \"CONCURRENT\"}");
        for (int i = 0; i < 30; i++) {
            assertEquals(200, get(null).statusCode());
        }
        Thread.sleep(200); // the last comparisons finish after their answers went out
        assertTrue(v2.requests() >= 30);
        JsonNode cluster = gateway.cluster(id);
        assertTrue("noise is not a difference: " + cluster, cluster.get("rolledBack") == null);
    }

    @Test
    public void upgradesThroughThePlatformsRestApi() throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NORMAL);
        Backend v2 = backend("v2", Backend.Behaviour.NORMAL);
        Http rest = node.http();
        Http.Answer first = rest.post("/routes/default/versions", "{\"version\":1,\"servers\":[\"127.0.0.1:" + v1.port() + "\"]}");
        assertEquals(first.body(), 201, first.status());
        Http.Answer second = rest.post("/routes/default/versions", "{\"version\":2,\"servers\":[\"127.0.0.1:" + v2.port()
                + "\"],\"mode\":\"gradual\",\"percentage\":50}");
        assertEquals(second.body(), 201, second.status());
        String v2Id = second.json().get("id").asText();
        assertEquals(2, rest.get("/routes/default").json().get("versions").size());

        Http.Answer rolledBack = rest.post("/routes/default/versions/" + v2Id + "/rollback", "{\"reason\":\"test\"}");
        assertEquals(rolledBack.body(), "test", rolledBack.json().get("rollbackReason").asText());
        for (int i = 0; i < 10; i++) {
            assertEquals("a rolled back version gets nothing", "v1", get(null).body());
        }
        Http.Answer last = rest.post("/routes/default/versions/" + first.json().get("id").asText() + "/rollback", "");
        assertEquals("the last version serving stays", 409, last.status());

        // Routes by path prefix and by host, each with versions of its own.
        Backend api = backend("api", Backend.Behaviour.NORMAL);
        Backend site = backend("site", Backend.Behaviour.NORMAL);
        assertEquals(201, rest.put("/routes/api", "{\"pathPrefix\":\"/api\"}").status());
        assertEquals(201, rest.put("/routes/site", "{\"host\":\"Site.Example\"}").status());
        assertEquals(409, rest.put("/routes/api2", "{\"pathPrefix\":\"/api\"}").status());
        assertEquals(400, rest.put("/routes/bad", "{\"pathPrefix\":\"api\"}").status());
        assertEquals(201, rest.post("/routes/api/versions", "{\"version\":1,\"servers\":[\"127.0.0.1:" + api.port() + "\"]}").status());
        assertEquals(201, rest.post("/routes/site/versions", "{\"version\":1,\"servers\":[\"127.0.0.1:" + site.port() + "\"]}").status());
        assertEquals("api", gateway.send("GET", proxy + "/api/users", null).body());
        assertEquals("v1", gateway.send("GET", proxy + "/apix", null).body());
        assertEquals("site", rawGet("site.example:80", "/"));
        assertEquals("api", rawGet("site.example", "/api/x")); // the longer prefix wins
        assertEquals(409, rest.delete("/routes/default").status());
        assertEquals(204, rest.delete("/routes/api").status());
        assertEquals(204, rest.delete("/routes/site").status());
        assertEquals("v1", gateway.send("GET", proxy + "/api/users", null).body());

        Http.Answer promoted = rest.post("/routes/default/versions/" + first.json().get("id").asText() + "/promote", "");
        assertEquals(1, promoted.json().get("versions").size());
        assertEquals(400, rest.post("/routes/default/versions", "{\"version\":3,\"servers\":[\"nowhere\"]}").status());
        assertEquals(404, rest.get("/routes/elsewhere").status());
    }

    @Test
    public void bodiesStreamThroughAndForwardingIsTold() throws Exception {
        Backend v1 = backend("v1", Backend.Behaviour.NORMAL);
        addCluster(v1, 1.0, "{\"mode\": \"INSTANT\"}");
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        HttpResponse<String> echoed = client.send(HttpRequest.newBuilder(URI.create(proxy + "/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, echoed.statusCode());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload)), echoed.body());
        assertEquals("127.0.0.1", echoed.headers().firstValue("X-Seen-Forwarded-For").orElse(""));
        assertEquals("v1", echoed.headers().firstValue("X-Backend").orElse(""));

        // curl's way with big uploads: "Expect: 100-continue" first.
        HttpResponse<String> continued = client.send(HttpRequest.newBuilder(URI.create(proxy + "/upload")).expectContinue(true)
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, continued.statusCode());
        assertEquals(echoed.body(), continued.body());
    }

    // --- helpers ------------------------------------------------------------------------------

    /** Version 1.0 of the backend ("v1", behaving normally), serving every request. */
    private void runningVersion1() throws Exception {
        addCluster(backend("v1", Backend.Behaviour.NORMAL), 1.0, "{\"mode\": \"INSTANT\"}");
    }

    private Backend backend(String name, Backend.Behaviour behaviour) throws Exception {
        Backend backend = new Backend(name, behaviour);
        backends.add(backend);
        return backend;
    }

    private String addCluster(Backend backend, double version, String transition) throws Exception {
        HttpResponse<String> put = gateway.send("PUT", admin, "{\"cluster\": {\"servers\":[" + backend.asServer() + "],\"version\": "
                + version + ",\"upgradeTransition\": " + transition + "}}");
        assertEquals(put.body(), 202, put.statusCode());
        return put.body();
    }

    private HttpResponse<String> get(String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(proxy + "/")).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with a Host header of our choosing (the JDK client will not set one); answers the body. */
    private String rawGet(String host, String path) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.gatewayPort())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            return answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
    }

}
