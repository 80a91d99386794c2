package io.plinth.itests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A node's gateway as the tests use it, over loopback: its proxy and its /configuration/cluster API. */
final class GatewayClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String admin;
    final String proxy;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Starts a node for gateway tests, in {@code target/nodes/NAME}, with a short read timeout
     * (1 s) so that silent backends are given up quickly, and waits for its gateway. Its admin API
     * is the 003 seed's as is, plain HTTP on loopback (an admin's explicit choice: the default,
     * HTTPS with client certificates, is {@code ManagementSecurityIT}'s).
     */
    static NodeProcess startNode(String name, int portOffset) throws Exception {
        NodeProcess node = new NodeProcess(java.nio.file.Path.of("target/nodes", name), portOffset);
        node.configure("io.plinth.gateway.cfg", "readTimeoutMillis", "1000");
        node.configure("io.plinth.gateway.cfg", "adminTls", "false");
        node.start();
        node.awaitUp(Duration.ofSeconds(90));
        node.awaitGateway(Duration.ofSeconds(60));
        return node;
    }

    GatewayClient(NodeProcess node) {
        this.admin = "http://127.0.0.1:" + node.gatewayAdminPort() + "/configuration/cluster";
        this.proxy = "http://127.0.0.1:" + node.gatewayPort();
    }

    HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return client.send(HttpRequest.newBuilder(URI.create(url)).method(method, publisher).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One cluster (version) as the seed's API shows it. */
    JsonNode cluster(String id) throws Exception {
        return JSON.readTree(send("GET", admin + "/" + id, null).body()).get("cluster");
    }

    /** Deletes every cluster the seed's API lists, so that each test starts without versions. */
    void removeClusters() throws Exception {
        for (JsonNode entry : JSON.readTree(send("GET", admin, null).body())) {
            send("DELETE", admin + "/" + entry.get("cluster").get("uuid").asText(), null);
        }
    }
}
