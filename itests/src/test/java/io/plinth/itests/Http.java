package io.plinth.itests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A small JSON client of a node's REST API over loopback. */
final class Http {

    /** A response: status and parsed JSON body (null when empty). */
    record Answer(int status, JsonNode json, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = newClient();
    private final String base;

    Http(int port) {
        this.base = "http://127.0.0.1:" + port + "/plinth/api/v1";
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** The body of a GET that answers something else than JSON (a CRL, a PEM); IOException unless 200. */
    byte[] getBytes(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": " + response.statusCode());
        }
        return response.body();
    }

    Answer post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A POST without body or content type, as curl -X POST sends it. */
    Answer postNothing(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        return answer(response);
    }

    Answer put(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return answer(client.send(request.header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static Answer answer(HttpResponse<String> response) throws IOException {
        String body = response.body();
        return new Answer(response.statusCode(), body == null || body.isBlank() ? null : JSON.readTree(body), body);
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Waits until the API answers (it comes up a moment after the node's services). Each probe on
     * a client of its own with a short timeout: a request that a starting server accepts and never
     * answers must not hold up the waiting, nor leave the shared client a dead connection.
     */
    void awaitUp(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> probe = newClient().send(HttpRequest.newBuilder(URI.create(base + "/types"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
                if (probe.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet, or not answering yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the REST API did not come up within " + patience);
    }
}
