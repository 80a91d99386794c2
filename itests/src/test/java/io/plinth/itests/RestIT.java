package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The REST API over real HTTP: the whole flow, and a clear JSON 4xx for each kind of bad input. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RestIT extends PlinthTestSupport {

    private final Http http = http();

    @Before
    public void up() throws Exception {
        addExamples();
        http.awaitUp(Duration.ofSeconds(30));
    }

    @Test
    public void deployAndCallThroughRest() throws Exception {
        for (String version : new String[] {"1.0.0", "2.0.0"}) {
            Http.Answer registered = http.post("/types", "{\"name\":\"recho\",\"version\":\"" + version
                    + "\",\"kind\":\"bundle\",\"artifact\":\"mvn:io.plinth.examples/echo/" + version + "\"}");
            assertEquals(registered.body(), 201, registered.status());
        }
        assertTrue(http.get("/types").json().size() >= 2);
        assertEquals("BUNDLE", http.get("/types/recho/1.0.0").json().get("kind").asText());

        for (String version : new String[] {"1.0.0", "2.0.0"}) {
            Http.Answer created = http.post("/instances", "{\"type\":\"recho\",\"version\":\"" + version
                    + "\",\"count\":3,\"groups\":[\"rest\"]}");
            assertEquals(created.body(), 201, created.status());
            assertEquals(3, created.json().size());
            assertEquals("AVAILABLE", created.json().get(0).get("state").asText());
        }
        assertEquals(6, http.get("/groups/rest/members").json().size());
        assertEquals(1, http.get("/groups/rest/members?selector=any").json().size());

        Http.Answer replies = http.post("/calls", "{\"target\":\"group:rest\",\"selector\":\"all\",\"operation\":\"echo\","
                + "\"inputs\":{\"message\":\"hi\"}}");
        assertEquals(replies.body(), 200, replies.status());
        assertEquals(6, replies.json().size());
        int shouted = 0;
        for (JsonNode reply : replies.json()) {
            shouted += reply.get("outputs").get("message").asText().equals("HI") ? 1 : 0;
        }
        assertEquals(3, shouted);

        String id = http.get("/instances").json().get(0).get("id").asText();
        assertEquals(204, http.put("/attributes/instance:" + id + "/load", "{\"value\":\"3\"}").status());
        assertEquals("3", http.get("/attributes/instance:" + id).json().get("load").asText());
        assertEquals(202, http.post("/casts", "{\"target\":\"instance:" + id + "\",\"operation\":\"echo\"}").status());
        assertTrue(http.get("/openapi.json").json().get("paths").has("/instances"));

        for (JsonNode instance : http.get("/instances").json()) {
            Http.Answer destroyed = http.post("/instances/" + instance.get("id").asText() + "/destroy", "{\"graceMs\":500}");
            assertEquals(destroyed.body(), 200, destroyed.status());
        }
        assertEquals(0, http.get("/instances").json().size());
    }

    @Test
    public void badInputGetsAClearJsonError() throws Exception {
        expectError(http.post("/instances", "{\"type\":\"unknown\",\"version\":\"1.0.0\"}"), 404, "NOT_FOUND");
        expectError(http.post("/types", "{\"name\":\"x\", \"version\": "), 400, "INVALID");
        expectError(http.post("/types", "{\"name\":\"x\",\"version\":\"1.0\",\"kind\":\"bundle\",\"artifact\":\"mvn:a/b/1\"}"), 400, "INVALID");
        expectError(http.post("/types", "{\"name\":\"x\",\"version\":\"1.0.0\",\"kind\":\"bundle\",\"artifact\":\"mvn:a/b/1\",\"typo\":1}"), 400, "INVALID");
        expectError(http.post("/types", ""), 400, "INVALID");
        String echo = "{\"name\":\"dup\",\"version\":\"1.0.0\",\"kind\":\"bundle\",\"artifact\":\"" + ECHO_1 + "\"}";
        assertEquals(201, http.post("/types", echo).status());
        expectError(http.post("/types", echo.replace("}", ",\"defaults\":{\"a\":\"b\"}}")), 409, "CONFLICT");
        expectError(http.post("/instances", "{\"type\":\"dup\",\"version\":\"1.0.0\",\"count\":0}"), 400, "INVALID");

        Http.Answer created = http.post("/instances", "{\"type\":\"dup\",\"version\":\"1.0.0\",\"groups\":[\"slow\"]}");
        String id = created.json().get(0).get("id").asText();
        expectError(http.post("/calls", "{\"target\":\"instance:" + id + "\",\"operation\":\"sleep\",\"inputs\":{\"millis\":\"2000\"},\"expiryMs\":100}"), 504, "TIMEOUT");
        expectError(http.post("/calls", "{\"target\":\"instance:" + id + "\",\"operation\":\"echo\",\"expiryMs\":0}"), 504, "TIMEOUT");
        expectError(http.post("/calls", "{\"target\":\"planet:x\",\"operation\":\"echo\"}"), 400, "INVALID");
        expectError(http.post("/calls", "{\"target\":\"group:slow\",\"selector\":\"some\",\"operation\":\"echo\"}"), 400, "INVALID");
        expectError(http.post("/calls", "{\"target\":\"group:empty\",\"operation\":\"echo\"}"), 404, "NOT_FOUND");
        expectError(http.get("/instances/0000"), 404, "NOT_FOUND");
        expectError(http.get("/no-such-resource"), 404, null);
        expectError(http.delete("/types/dup/1.0.0"), 409, "CONFLICT");
        assertEquals(200, http.post("/instances/" + id + "/destroy", "{}").status());
        assertEquals(204, http.delete("/types/dup/1.0.0").status());
    }

    @Test
    public void groupsNamesAndBodylessRequests() throws Exception {
        assertEquals(201, http.post("/types", "{\"name\":\"nb\",\"version\":\"1.0.0\",\"kind\":\"bundle\",\"artifact\":\"" + ECHO_1 + "\"}").status());
        JsonNode created = http.post("/instances", "{\"type\":\"nb\",\"version\":\"1.0.0\",\"count\":2}").json();
        String a = created.get(0).get("id").asText();
        String b = created.get(1).get("id").asText();

        assertEquals(1, http.put("/groups/admins/members/" + a, "").json().get("members").asInt());
        assertEquals(2, http.put("/groups/admins/members/" + b, "").json().get("members").asInt());
        assertEquals(1, http.delete("/groups/admins/members/" + a).json().get("members").asInt());

        assertEquals("OWNER", http.put("/names/leader/queue/" + a, "").json().get("claim").asText());
        assertEquals("EXISTS", http.put("/names/leader/queue/" + b, "").json().get("claim").asText());
        JsonNode queued = http.put("/names/leader/queue/" + b + "?option=queue", "").json();
        assertEquals("QUEUED", queued.get("claim").asText());
        assertEquals(b, queued.get("name").get("queue").get(0).asText());
        assertEquals(b, http.delete("/names/leader/queue/" + a).json().get("owner").asText());
        expectError(http.put("/names/leader/queue/" + a + "?option=sometimes", ""), 400, "INVALID");

        expectError(http.put("/attributes/instance:" + a + "/plinth.available", "{\"value\":\"false\"}"), 400, "INVALID");

        Http.Answer terminated = http.postNothing("/instances/" + a + "/terminate");
        assertEquals(terminated.body(), 200, terminated.status());
        assertEquals("DESTROYED", terminated.json().get("state").asText());
        assertEquals(200, http.postNothing("/instances/" + b + "/destroy").status());
        expectError(http.postNothing("/instances/" + b + "/destroy"), 404, "NOT_FOUND");
        assertEquals(204, http.delete("/types/nb/1.0.0").status());
    }

    /**
     * The application declares how many JAX-RS resources and extensions its bundle registers: while
     * fewer are served, requests are held (during a live update). A part added without counting it
     * would let requests through before it is served.
     */
    @Test
    public void theApplicationCountsItsParts() throws Exception {
        org.osgi.framework.ServiceReference<?> application = bundleContext.getServiceReferences("javax.ws.rs.core.Application",
                "(osgi.jaxrs.name=plinth)")[0];
        long parts = java.util.Arrays.stream(application.getBundle().getRegisteredServices())
                .filter(service -> "true".equals(String.valueOf(service.getProperty("osgi.jaxrs.resource")))
                        || "true".equals(String.valueOf(service.getProperty("osgi.jaxrs.extension"))))
                .count();
        assertEquals(parts, ((Integer) application.getProperty("plinth.rest.parts")).longValue());
    }

    private static void expectError(Http.Answer answer, int status, String error) {
        assertEquals(answer.body(), status, answer.status());
        assertTrue(answer.body(), answer.json() != null && answer.json().has("message"));
        if (error != null) {
            assertEquals(answer.body(), error, answer.json().get("error").asText());
        }
    }
}
