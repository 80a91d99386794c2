package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * Nodes join a cluster with one-time tokens (seed 000 §4.9.6), four real node processes on
 * loopback: "alpha" initializes a cluster, "beta" and "gamma" join it, and the three form one
 * view on the cluster channel; "rogue" initializes a cluster of its own under the same name, plays
 * a seed that is not of the token's CA, and knocks at alpha's channel in vain. Then nodes are
 * killed, frozen and restarted, and the view follows; a node whose remembered seeds are all stale
 * finds the cluster again through DNS; and a node whose certificate is revoked is shut out.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING) // joins, then the CA node's restart, then lost and stalled nodes
public class ClusterJoinIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static NodeProcess alpha;
    private static NodeProcess beta;
    private static NodeProcess gamma;
    private static NodeProcess rogue;

    @BeforeClass
    public static void startNodes() throws Exception {
        alpha = new NodeProcess(Path.of("target/nodes/alpha"), 16000);
        beta = new NodeProcess(Path.of("target/nodes/beta"), 17000);
        gamma = new NodeProcess(Path.of("target/nodes/gamma"), 18000);
        rogue = new NodeProcess(Path.of("target/nodes/rogue"), 19000);
        // The rogue knows where alpha's cluster channel is, and will use alpha's cluster name.
        rogue.configure("io.plinth.cluster.cfg", "seeds", "127.0.0.1:" + alpha.clusterPort());
        for (NodeProcess node : nodes()) {
            node.start();
        }
        for (NodeProcess node : nodes()) {
            node.awaitUp(Duration.ofSeconds(120));
        }
    }

    @AfterClass
    public static void stopNodes() throws Exception {
        for (NodeProcess node : nodes()) {
            if (node != null) {
                node.close();
            }
        }
    }

    private static List<NodeProcess> nodes() {
        return java.util.Arrays.asList(alpha, beta, gamma, rogue);
    }

    @Test
    public void joinsNeedAOneTimeTokenFromTheClustersCa() throws Exception {
        Http.Answer none = alpha.http().get("/cluster");
        assertEquals(200, none.status());
        assertFalse(none.json().get("member").asBoolean());
        assertEquals("alpha", none.json().get("node").asText());

        long started = System.nanoTime();
        Http.Answer created = alpha.http().post("/cluster", "{\"name\":\"plinth-test\"}");
        System.out.printf("cluster initialized (CA and node certificate) in %.1f ms%n", (System.nanoTime() - started) / 1e6);
        assertEquals(created.body(), 201, created.status());
        String fingerprint = created.json().get("caFingerprint").asText();
        // The CA's channel forms its cluster within the channel's join timeout (2 s); nodes that join
        // before it has can race it into two partitions that MERGE3 has to reunite (slow on a busy
        // machine): the joins below come once it stands, as an admin's would.
        assertTrue("alpha's channel forms the cluster", awaitView(List.of(alpha), List.of("alpha"), Duration.ofSeconds(15)));
        assertEquals(409, alpha.http().post("/cluster", "{\"name\":\"again\"}").status());
        assertEquals(400, rogue.http().post("/cluster", "{\"name\":\"Not A Name\"}").status());
        assertEquals(201, rogue.http().post("/cluster", "{\"name\":\"plinth-test\"}").status());
        assertEquals("no token before a cluster", 409, beta.http().post("/cluster/tokens", "{}").status());

        // A token whose seed is not of the CA it names: the joining node refuses to hand it over.
        String token = token(alpha, "{}");
        Http.Answer misled = beta.http().post("/cluster/join", json("token", withSeed(token, "127.0.0.1:" + rogue.joinPort())));
        assertEquals(misled.body(), 403, misled.status());
        assertTrue(misled.body(), misled.json().get("message").asText().contains("not from the cluster CA the token names"));

        started = System.nanoTime();
        Http.Answer joined = beta.http().post("/cluster/join", json("token", token));
        System.out.printf("node joined (key, CSR, TLS, certificate) in %.1f ms%n", (System.nanoTime() - started) / 1e6);
        assertEquals(joined.body(), 200, joined.status());
        assertEquals("plinth-test", joined.json().get("cluster").asText());
        assertEquals(fingerprint, joined.json().get("caFingerprint").asText());
        String subject = joined.json().get("certificateSubject").asText();
        assertTrue(subject, subject.contains("OU=beta") && subject.contains("O=node") && subject.contains("DC=plinth-test")
                && subject.contains("UID=" + joined.json().get("nodeId").asText()));
        Instant expires = Instant.parse(joined.json().get("certificateExpires").asText());
        assertTrue("short-lived, an hour by default: " + expires, expires.isAfter(Instant.now().plus(Duration.ofMinutes(55)))
                && expires.isBefore(Instant.now().plus(Duration.ofMinutes(61))));
        assertEquals("a member joins nothing else", 409, beta.http().post("/cluster/join", json("token", token)).status());
        assertEquals("only the CA's node issues tokens", 409, beta.http().post("/cluster/tokens", "{}").status());

        Http.Answer reused = gamma.http().post("/cluster/join", json("token", token));
        assertEquals(reused.body(), 403, reused.status());
        assertTrue(reused.body(), reused.json().get("message").asText().contains("used already"));

        String shortLived = token(alpha, "{\"ttlSeconds\":1}");
        Thread.sleep(1500);
        Http.Answer expired = gamma.http().post("/cluster/join", json("token", shortLived));
        assertEquals(expired.body(), 403, expired.status());
        assertTrue(expired.body(), expired.json().get("message").asText().contains("expired"));

        assertEquals(400, gamma.http().post("/cluster/join", json("token", "plinth-join.garbage")).status());
        assertEquals(400, alpha.http().post("/cluster/tokens", "{\"ttlSeconds\":0}").status());
        Http.Answer gammaJoined = gamma.http().post("/cluster/join", json("token", token(alpha, "{\"ttlSeconds\":60}")));
        assertEquals(gammaJoined.body(), 200, gammaJoined.status());
        assertEquals(fingerprint, gammaJoined.json().get("caFingerprint").asText());

        // The cluster channel: the three members of the CA see each other; the rogue, same cluster
        // name and alpha as its seed but another CA, is refused by TLS and stays alone.
        started = System.nanoTime();
        assertTrue("one view of alpha, beta and gamma", awaitMembers(Set.of("alpha", "beta", "gamma"), Duration.ofSeconds(20)));
        System.out.printf("one cluster view of 3 nodes %.0f ms after the last join%n", (System.nanoTime() - started) / 1e6);
        for (NodeProcess node : List.of(beta, gamma)) {
            assertEquals(Set.of("alpha", "beta", "gamma"), memberNames(node));
        }
        assertEquals(Set.of("rogue"), memberNames(rogue));
        assertTrue("a client without a certificate gets no TLS session on the cluster channel", refusedWithoutCertificate(alpha.clusterPort()));
    }

    /**
     * Opens a TLS connection to a cluster channel the way a stranger would: trusting whatever
     * certificate the server shows, showing none. The server must end the handshake.
     */
    private static boolean refusedWithoutCertificate(int port) throws Exception {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
        context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            // TLS 1.3 ends the client's handshake before the server has judged the client: its
            // refusal (a certificate_required alert) comes with the first read. Without client
            // authentication the read would end quietly instead, when JGroups drops the stranger.
            socket.getInputStream().read();
            return false;
        } catch (javax.net.ssl.SSLException refused) {
            return refused.getMessage() != null && refused.getMessage().contains("certificate");
        }
    }

    @Test
    public void keysAreEncryptedOnDiskAndTheCaSurvivesARestart() throws Exception {
        if (!alpha.http().get("/cluster").json().get("member").asBoolean()) {
            assertEquals(201, alpha.http().post("/cluster", "{\"name\":\"plinth-test\"}").status());
        }
        Path store = alpha.home().resolve("data/plinth/cluster");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.resolve("node.secret"))));
        try (Stream<Path> files = Files.walk(alpha.home())) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.toString().contains("plinth")).toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse("a plaintext private key in " + file, text.contains("PRIVATE KEY"));
            }
        }
        for (String keys : List.of("ca.p12", "node.p12")) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try {
                keyStore.load(new ByteArrayInputStream(Files.readAllBytes(store.resolve(keys))), new char[0]);
                throw new AssertionError(keys + " opens without the node secret");
            } catch (java.io.IOException expected) {
                // encrypted: without the node secret its integrity cannot even be checked
            }
        }

        String fingerprint = alpha.http().get("/cluster").json().get("caFingerprint").asText();
        boolean clusterFormed = memberNames(beta).contains("alpha");
        if (clusterFormed) {
            assertEquals("marked from another node", 200, beta.http().post("/cluster/members/alpha/unavailable", "").status());
        }
        alpha.stop();
        if (clusterFormed) {
            assertEquals("a node that stopped is offline", "OFFLINE", awaitState(beta, "alpha", "OFFLINE"));
        }
        alpha.start();
        alpha.awaitUp(Duration.ofSeconds(120));
        Http.Answer after = alpha.http().get("/cluster");
        assertTrue(after.body(), after.json().get("member").asBoolean());
        assertEquals(fingerprint, after.json().get("caFingerprint").asText());
        Http.Answer token = alpha.http().post("/cluster/tokens", "{}");
        assertEquals("the CA key came back from its encrypted store: " + token.body(), 201, token.status());
        try (Socket joinService = new Socket("127.0.0.1", alpha.joinPort())) {
            assertTrue(joinService.isConnected());
        }
        if (memberNames(beta).contains("gamma")) { // the cluster formed in the other test: alpha must find it again
            long restarted = System.nanoTime();
            assertTrue("alpha back in one view with beta and gamma", awaitMembers(Set.of("alpha", "beta", "gamma"), Duration.ofSeconds(40)));
            System.out.printf("restarted seed merged back into the cluster %.0f ms after its REST API was up%n",
                    (System.nanoTime() - restarted) / 1e6);
            assertEquals("the mark outlives the restart, and the others hear it", "UNAVAILABLE", awaitState(beta, "alpha", "UNAVAILABLE"));
            assertEquals(200, alpha.http().post("/cluster/members/alpha/available", "").status());
            assertEquals("AVAILABLE", awaitState(gamma, "alpha", "AVAILABLE"));
        }
    }

    @Test
    public void lostAndStalledNodesLeaveTheViewAndComeBack() throws Exception {
        List<String> all = List.of("alpha", "beta", "gamma");
        assertTrue("the cluster of the first test", awaitView(List.of(alpha, beta, gamma), all, Duration.ofSeconds(40)));

        long killed = System.nanoTime();
        gamma.kill();
        assertTrue("gamma, killed, leaves the view", awaitView(List.of(alpha, beta), List.of("alpha", "beta"), Duration.ofSeconds(15)));
        long detectedMillis = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf("kill -9 of a node: gone from the view after %d ms%n", detectedMillis);

        long stopped = System.nanoTime();
        beta.signal("STOP");
        assertTrue("beta, frozen, leaves alpha's view", awaitView(List.of(alpha), List.of("alpha"), Duration.ofSeconds(15)));
        System.out.printf("SIGSTOP of a node: gone from the view after %d ms%n", (System.nanoTime() - stopped) / 1_000_000);
        Thread.sleep(Math.max(0, Duration.ofSeconds(15).toMillis() - (System.nanoTime() - stopped) / 1_000_000));
        long resumed = System.nanoTime();
        beta.signal("CONT");
        assertTrue("one view again, each node once", awaitView(List.of(alpha, beta), List.of("alpha", "beta"), Duration.ofSeconds(30)));
        System.out.printf("SIGCONT after 15 s: one view again after %d ms%n", (System.nanoTime() - resumed) / 1_000_000);

        gamma.start();
        gamma.awaitUp(Duration.ofSeconds(120));
        long up = System.nanoTime();
        assertTrue("gamma, restarted, is back", awaitView(List.of(alpha, beta, gamma), all, Duration.ofSeconds(30)));
        System.out.printf("restarted node back in the view %d ms after its REST API was up%n", (System.nanoTime() - up) / 1_000_000);
        assertTrue("detected after " + detectedMillis + " ms", detectedMillis <= 5_000);
    }

    @Test
    public void movedNodeFindsTheClusterAgainThroughDns() throws Exception {
        List<String> all = List.of("alpha", "beta", "gamma");
        assertTrue("the cluster of the first tests", awaitView(List.of(alpha, beta, gamma), all, Duration.ofSeconds(40)));
        gamma.stop();
        // gamma comes back on another port, remembering no member: neither side knows where the other is
        Path membership = gamma.home().resolve("data/plinth/cluster/membership.json");
        ObjectNode remembered = (ObjectNode) JSON.readTree(membership.toFile());
        remembered.putArray("seeds");
        Files.write(membership, JSON.writeValueAsBytes(remembered));
        gamma.configure("io.plinth.cluster.cfg", "clusterPort", String.valueOf(gamma.clusterPort() + 50));
        gamma.start();
        gamma.awaitUp(Duration.ofSeconds(120));
        Thread.sleep(8_000); // a few discovery and merge rounds
        assertEquals("alone, without seeds", List.of("gamma"), memberList(gamma));
        assertEquals(List.of("alpha", "beta"), memberList(alpha));

        long configured = System.nanoTime();
        gamma.configure("io.plinth.cluster.cfg", "seedResolver", "127.0.0.1:" + alpha.dnsPort());
        gamma.configure("io.plinth.cluster.cfg", "seedNames", "_plinth._tcp.node.plinth.internal.");
        assertTrue("gamma found the others through the SRV records of alpha's discovery service",
                awaitView(List.of(alpha, beta, gamma), all, Duration.ofSeconds(40)));
        System.out.printf("DNS seeds: a node with no valid seed in one view with the others %d ms after seedNames was set%n",
                (System.nanoTime() - configured) / 1_000_000);
    }

    @Test
    public void revokedNodeIsShutOutOfTheCluster() throws Exception {
        List<String> all = List.of("alpha", "beta", "gamma");
        assertTrue("the cluster of the first tests", awaitView(List.of(alpha, beta, gamma), all, Duration.ofSeconds(40)));
        String serial = null;
        for (com.fasterxml.jackson.databind.JsonNode certificate : alpha.http().get("/pki/certificates").json()) {
            String subject = certificate.get("subject").asText();
            if (subject.contains("OU=beta,") && subject.contains("O=node,")) {
                serial = certificate.get("serial").asText();
            }
        }
        assertTrue("the CA kept beta's node certificate", serial != null);
        long revoked = System.nanoTime();
        Http.Answer revocation = alpha.http().post("/pki/certificates/" + serial + "/revoke", "{\"reason\":\"keyCompromise\"}");
        assertEquals(revocation.body(), 200, revocation.status());
        assertTrue("beta is cut off", awaitView(List.of(alpha, gamma), List.of("alpha", "gamma"), Duration.ofSeconds(30)));
        System.out.printf("revoked node certificate: the node out of the others' views %d ms after the revocation%n",
                (System.nanoTime() - revoked) / 1_000_000);
        Thread.sleep(8_000); // discovery and merge rounds: its handshakes are refused
        assertEquals("and it stays out", List.of("alpha", "gamma"), memberList(alpha));
        assertEquals(List.of("alpha", "gamma"), memberList(gamma));
    }

    /** The state a node shows for another once it is {@code expected}, or the last one it showed after 10 s. */
    private static String awaitState(NodeProcess node, String name, String expected) throws Exception {
        String state = "absent";
        for (int i = 0; i < 100 && !state.equals(expected); i++) {
            for (com.fasterxml.jackson.databind.JsonNode member : node.http().get("/cluster/members").json()) {
                if (member.get("name").asText().equals(name)) {
                    state = member.get("state").asText();
                }
            }
            Thread.sleep(100);
        }
        return state;
    }

    /** Waits until alpha, beta and gamma each see exactly {@code expected}. */
    private static boolean awaitMembers(Set<String> expected, Duration patience) throws Exception {
        return awaitView(List.of(alpha, beta, gamma), List.copyOf(new java.util.TreeSet<>(expected)), patience);
    }

    /** Waits until each of {@code nodes} sees exactly the members {@code expected} (sorted), each once. */
    private static boolean awaitView(List<NodeProcess> nodes, List<String> expected, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() - deadline < 0) {
            boolean agreed = true;
            for (NodeProcess node : nodes) {
                agreed &= memberList(node).equals(expected);
            }
            if (agreed) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static Set<String> memberNames(NodeProcess node) throws Exception {
        return new java.util.TreeSet<>(memberList(node));
    }

    /** The names in a node's view, sorted; a name twice would show twice. */
    private static List<String> memberList(NodeProcess node) throws Exception {
        List<String> names = new java.util.ArrayList<>();
        node.http().get("/cluster/members").json().forEach(member -> {
            String state = member.get("state").asText();
            if (state.equals("AVAILABLE") || state.equals("UNAVAILABLE")) { // in the view; not those that left
                names.add(member.get("name").asText());
            }
        });
        java.util.Collections.sort(names);
        return names;
    }

    private static String token(NodeProcess node, String body) throws Exception {
        Http.Answer issued = node.http().post("/cluster/tokens", body);
        assertEquals(issued.body(), 201, issued.status());
        assertTrue(issued.json().get("seed").asText().endsWith(":" + node.joinPort()));
        return issued.json().get("token").asText();
    }

    /** The same token (same secret, same CA), pointing at another seed. */
    private static String withSeed(String token, String seed) throws Exception {
        String prefix = "plinth-join.";
        ObjectNode content = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(token.substring(prefix.length())));
        content.put("seed", seed);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(content));
    }

    private static String json(String field, String value) throws Exception {
        return JSON.writeValueAsString(java.util.Map.of(field, value));
    }
}
