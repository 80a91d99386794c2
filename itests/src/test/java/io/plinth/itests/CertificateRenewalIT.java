package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * Short-lived node certificates (one minute here, an hour by default): every node renews its own
 * at half-life while calls cross the cluster channel and clients open HTTPS connections — none
 * fails, and no channel or web server restarts (one node with EC keys, the other RSA) — and a node that was down past its certificate's
 * end, whose expired certificate the cluster channel and REST then refuse, renews it on its own
 * when it comes back, without a token, and rejoins. Instances get theirs through the CA's node.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class CertificateRenewalIT {

    /** Trusts any server: these probes look at what a node presents or accepts, not at whom they reach. */
    private static final X509TrustManager TRUST_ANY = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    private static NodeProcess oak;
    private static NodeProcess pine;

    @BeforeClass
    public static void formCluster() throws Exception {
        oak = new NodeProcess(Path.of("target/nodes/oak"), 20000);
        pine = new NodeProcess(Path.of("target/nodes/pine"), 21000);
        for (NodeProcess node : List.of(oak, pine)) {
            node.configure("io.plinth.cluster.cfg", "certificateMinutes", "1");
        }
        pine.configure("io.plinth.cluster.cfg", "keyAlgorithm", "RSA"); // a cluster of EC and RSA keys
        TestCluster.form("renewing", oak, List.of(pine));
        TestCluster.registerEcho(oak);
        assertTrue(TestCluster.awaitTypes(pine, 2));
        TestCluster.echoInstances(pine, "1.0.0", 2, "renew");
    }

    @AfterClass
    public static void stopNodes() throws Exception {
        oak.close();
        pine.close();
    }

    @Test
    public void a_nodesRenewTheirCertificatesUnderLoadWithoutAFailedRequest() throws Exception {
        Set<BigInteger> oakSerials = new HashSet<>(Set.of(presented(oak).getSerialNumber()));
        Set<BigInteger> pineSerials = new HashSet<>(Set.of(presented(pine).getSerialNumber()));
        assertEquals("pine's keys are RSA, as configured", "RSA", presented(pine).getPublicKey().getAlgorithm());
        Load crossNode = new Load(2, () -> bothAnswered(oak.http().post("/calls",
                "{\"target\":\"group:renew\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}")));
        String login = "Basic " + java.util.Base64.getEncoder().encodeToString(pine.adminLogin().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Load newConnections = new Load(1, () -> {
            Thread.sleep(100); // a new client (so a new TLS handshake) 10 times a second: each keeps a selector thread until collected
            return pine.http().clientWithoutLogin().send(HttpRequest.newBuilder(java.net.URI.create(pine.http().base() + "/types"))
                    .header("Authorization", login).build(), HttpResponse.BodyHandlers.ofString());
        });
        long started = System.nanoTime();
        try {
            while (oakSerials.size() < 3 || pineSerials.size() < 3) { // each renewed twice: the first certificates long expired
                assertTrue("two renewals of each node within 150 s: oak " + oakSerials.size() + ", pine " + pineSerials.size(),
                        System.nanoTime() - started < 150_000_000_000L);
                Thread.sleep(500);
                oakSerials.add(presented(oak).getSerialNumber());
                pineSerials.add(presented(pine).getSerialNumber());
            }
        } finally {
            crossNode.stop();
            newConnections.stop();
            System.gc(); // the clients let go, and their threads with them, before the next tests
        }
        System.out.printf("renewal under load: %d certificates presented by oak, %d by pine in %d s; %d cross-node group calls,"
                        + " %d new HTTPS connections, %d failed%n", oakSerials.size(), pineSerials.size(),
                (System.nanoTime() - started) / 1_000_000_000, crossNode.successes(), newConnections.successes(),
                crossNode.failures().size() + newConnections.failures().size());
        assertEquals("failed cross-node calls, e.g. " + crossNode.failures().stream().findFirst().orElse(""), 0, crossNode.failures().size());
        assertEquals("failed connections, e.g. " + newConnections.failures().stream().findFirst().orElse(""), 0,
                newConnections.failures().size());
        assertTrue(TestCluster.inView(oak, "pine") && TestCluster.inView(pine, "oak"));
    }

    @Test
    public void b_aNodeBackAfterItsCertificateLapsedReattestsAndRejoins() throws Exception {
        X509Certificate lapsing = presented(pine);
        pine.stop();
        KeyManager[] lapsed = nodeKeys(pine);
        assertTrue("a live node certificate opens oak's cluster channel", channelAccepts(oak, lapsed));
        while (!lapsing.getNotAfter().toInstant().plusSeconds(2).isBefore(Instant.now())) {
            Thread.sleep(1_000);
        }
        assertFalse("an expired node certificate does not open oak's cluster channel", channelAccepts(oak, lapsed));
        try {
            assertEquals("an expired certificate on oak's REST API", 403, oak.http(lapsed).get("/types").status());
        } catch (java.io.IOException refusedInTheHandshake) {
            // as it should
        }
        long started = System.nanoTime();
        pine.start();
        pine.awaitUp(Duration.ofSeconds(120)); // its HTTPS presents a valid certificate only once renewed
        while (!TestCluster.inView(oak, "pine")) {
            assertTrue("pine back in oak's view within 60 s", System.nanoTime() - started < 60_000_000_000L);
            Thread.sleep(200);
        }
        System.out.printf("re-attestation: pine, down past its certificate's end, back in the view %d ms after it started%n",
                (System.nanoTime() - started) / 1_000_000);
        assertTrue(presented(pine).getNotAfter().toInstant().isAfter(Instant.now()));
        long deadline = System.nanoTime() + 30_000_000_000L;
        String failure;
        while ((failure = bothAnswered(oak.http().post("/calls",
                "{\"target\":\"group:renew\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"x\"}}"))) != null) {
            assertTrue("oak calls pine's instances again: " + failure, System.nanoTime() < deadline);
            Thread.sleep(200);
        }
    }

    @Test
    public void c_anInstanceOnAMemberIsCertifiedAndRevokedThroughTheCaNode() throws Exception {
        String instance = TestCluster.echoInstances(pine, "1.0.0", 1, "certified").get(0);
        Http.Answer identity = pine.http().post("/calls", "{\"target\":\"instance:" + instance + "\",\"operation\":\"identity\"}");
        assertEquals(identity.body(), 200, identity.status());
        String serial = identity.json().get(0).get("outputs").get("serial").asText();
        String subject = oak.http().get("/pki/certificates/" + serial).json().get("subject").asText();
        assertTrue("signed by the CA's node for pine's instance: " + subject, subject.contains("UID=" + instance) && subject.contains("OU=pine"));

        assertEquals(200, pine.http().post("/instances/" + instance + "/destroy", "{\"graceMs\":500}").status());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (oak.http().get("/pki/certificates/" + serial).json().get("revokedAt").isNull()) {
            assertTrue("pine has its ended instance's certificate revoked at the CA's node within 10 s", System.nanoTime() < deadline);
            Thread.sleep(100);
        }
    }

    /** A node's key and certificate as it keeps them (node.p12, whose password is the node secret), for a test client to present. */
    private static KeyManager[] nodeKeys(NodeProcess node) throws Exception {
        Path cluster = node.home().resolve("data/plinth/cluster");
        char[] password = java.util.Base64.getEncoder().encodeToString(java.nio.file.Files.readAllBytes(cluster.resolve("node.secret")))
                .toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(cluster.resolve("node.p12"))) {
            keys.load(in, password);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
        factory.init(keys, password);
        return factory.getKeyManagers();
    }

    /**
     * Whether a node's cluster channel accepts a TLS connection presenting {@code keys}: TLS 1.3
     * checks the client's certificate after the client's side of the handshake is done, so a
     * refusal shows as a TLS alert at the first read (or the connection reset under the handshake);
     * an accepted connection waits for JGroups' first bytes, and JGroups closes it after a while
     * without an alert.
     */
    private static boolean channelAccepts(NodeProcess node, KeyManager[] keys) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(keys, new TrustManager[] {TRUST_ANY}, null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", node.clusterPort())) {
            socket.setSoTimeout(3_000);
            socket.startHandshake();
            socket.getInputStream().read(); // -1: closed by JGroups, having taken the certificate
            return true;
        } catch (java.net.SocketTimeoutException waitingForJGroups) {
            return true;
        } catch (java.io.IOException alertOrReset) { // an alert, or the connection closed under the handshake
            return false;
        }
    }

    /** The certificate a node's HTTPS port presents now (trusted or not: only its serial and dates matter here). */
    private static X509Certificate presented(NodeProcess node) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {TRUST_ANY}, null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", node.httpsPort())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static String bothAnswered(Http.Answer replies) {
        if (replies.status() != 200) {
            return replies.status() + " " + replies.body();
        }
        for (JsonNode reply : replies.json()) {
            if (reply.get("error") != null && !reply.get("error").isNull()) {
                return reply.get("instanceId") + ": " + reply.get("error");
            }
        }
        return replies.json().size() == 2 ? null : replies.json().size() + " replies, not 2";
    }
}
