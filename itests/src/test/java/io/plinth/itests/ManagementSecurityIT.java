package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The management channel (REST API and web console) as an attacker and its users meet it: plain
 * HTTP is closed, HTTPS presents the node's certificate, every request needs an identity — the
 * admin created at first boot, whose secret is shown once and stored only hashed, or a client
 * certificate of the cluster CA, which the credential policies then name — and certificates of
 * an unknown CA, expired or revoked are refused.
 */
public class ManagementSecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static NodeProcess node;
    private static Path work;

    @BeforeClass
    public static void startNode() throws Exception {
        node = new NodeProcess(Path.of("target/nodes/guard"), 23000);
        node.configure("io.plinth.credentials.cfg", "policies", "shell:* * *, user:* * *, billing/a1 hmac-* *");
        node.start();
        node.awaitUp(Duration.ofSeconds(120));
        work = Files.createDirectories(Path.of("target/guard").toAbsolutePath());
    }

    @AfterClass
    public static void stopNode() throws Exception {
        node.close();
    }

    @Test
    public void plainHttpIsClosedAndEveryRequestNeedsAnAdminOrACertificate() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", node.httpPort())) {
            fail("plain HTTP management answered on port " + node.httpPort());
        } catch (ConnectException expected) {
            // off unless an admin enables it
        }
        String secret = node.adminLogin().substring("admin:".length());
        HttpClient anonymous = node.http().clientWithoutLogin();
        HttpResponse<String> noLogin = anonymous.send(HttpRequest.newBuilder(URI.create(node.http().base() + "/types")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(noLogin.body(), 401, noLogin.statusCode());
        assertTrue(noLogin.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertEquals(401, login(anonymous, "/plinth/api/v1/types", "admin:" + secret + "x"));
        assertEquals(200, login(anonymous, "/plinth/api/v1/types", "admin:" + secret));
        assertEquals("the web console wants a login too", 401, login(anonymous, "/system/console/bundles", null));
        assertEquals(200, login(anonymous, "/system/console/bundles", "admin:" + secret));

        String users = Files.readString(node.home().resolve("etc/users.properties"));
        assertTrue(users, users.contains("admin = {CRYPT}") && !java.util.regex.Pattern.compile("(?m)^karaf\\s*=").matcher(users).find());
        assertFalse("the admin secret is stored hashed only", users.contains(secret));
        try (Stream<Path> logs = Files.walk(node.home().resolve("data/log"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertFalse(log + " holds the admin secret", Files.readString(log, StandardCharsets.ISO_8859_1).contains(secret));
            }
        }
    }

    @Test
    public void clientCertificatesAreIdentitiesUnlessUnknownExpiredOrRevoked() throws Exception {
        assertEquals(201, node.http().post("/cluster", "{\"name\":\"guarded\"}").status());
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "agent.key");
        openssl("req", "-new", "-key", "agent.key", "-subj", "/CN=agent", "-out", "agent.csr");
        KeyManager[] shortLived = certificate("short", "billing", 60);
        KeyManager[] shortAdmin = certificate("short-admin", "admin", 60);
        KeyManager[] agent = certificate("agent", "billing", 3600);
        KeyManager[] admin = certificate("admin", "admin", 3600);

        Http asAgent = node.http(agent);
        Http.Answer added = asAgent.post("/credentials", "{\"name\":\"hmac-billing\",\"module\":\"hmac-sha256\",\"secrets\":{\"key\":\"k\"}}");
        assertEquals(added.body(), 201, added.status());
        Http.Answer signed = asAgent.post("/credentials/hmac-billing/sign", "{\"inputs\":{\"message\":\"hello\"}}");
        assertEquals(signed.body(), 200, signed.status());
        Http.Answer denied = asAgent.post("/credentials", "{\"name\":\"other\",\"module\":\"hmac-sha256\",\"secrets\":{\"key\":\"k\"}}");
        assertEquals("the policy names billing/a1 for hmac-* only: " + denied.body(), 403, denied.status());
        assertEquals("an agent reads", 200, asAgent.get("/instances").status());
        Http.Answer spawn = asAgent.post("/pki/tokens", "{\"subsystem\":\"tool\",\"agentId\":\"t1\"}");
        assertEquals("spawning needs the capability in the agent's certificate: " + spawn.body(), 403, spawn.status());
        Http.Answer spawner = node.http().post("/pki/certificates", JSON.writeValueAsString(Map.of("csr", Files.readString(work.resolve("agent.csr")),
                "subsystem", "scheduler", "agentId", "s1", "node", node.name(), "capabilities", java.util.List.of("tool"))));
        Files.writeString(work.resolve("spawner.pem"), spawner.json().get("certificatePem").asText());
        Http.Answer spawned = node.http(keyManagers("spawner.pem")).post("/pki/tokens", "{\"subsystem\":\"tool\",\"agentId\":\"t1\"}");
        assertEquals("a scheduler that may spawn tools: " + spawned.body(), 201, spawned.status());
        assertEquals("but nothing else", 403, node.http(keyManagers("spawner.pem")).post("/pki/tokens",
                "{\"subsystem\":\"billing\",\"agentId\":\"b2\"}").status());
        Http.Answer administration = asAgent.post("/cluster/tokens", "{}");
        assertEquals("an agent does not administer: " + administration.body(), 403, administration.status());
        String audit = Files.readString(node.home().resolve("data/log/karaf.log"));
        assertTrue(audit.contains("caller=billing/a1 credential=hmac-billing operation=sign outcome=ok"));

        openssl("req", "-x509", "-new", "-key", "agent.key", "-subj", "/DC=guarded/O=admin/OU=guard/UID=a1", "-days", "1", "-out", "forged.pem");
        KeyManager[] forged = keyManagers("forged.pem");
        assertRefused("a certificate of another CA", node.http(forged));

        // The gateway's admin API: HTTPS, client certificates of admins only.
        assertEquals(200, gatewayAdmin(admin).statusCode());
        HttpResponse<String> notAnAdmin = gatewayAdmin(agent);
        assertEquals(notAnAdmin.body(), 403, notAnAdmin.statusCode());
        for (KeyManager[] refused : java.util.Arrays.asList(forged, null)) {
            try {
                fail("the gateway admin API answered " + gatewayAdmin(refused).statusCode() + (refused == null ? " without a certificate" : " to another CA's"));
            } catch (IOException expected) {
                // the handshake fails
            }
        }
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.gatewayAdminPort()
                    + "/configuration/cluster")).build(), HttpResponse.BodyHandlers.discarding());
            fail("the gateway admin API answered plain HTTP");
        } catch (IOException expected) {
            // it speaks TLS only
        }

        String serial = JSON.readTree(Files.readString(work.resolve("agent.json"))).get("serial").asText();
        assertEquals(200, node.http().post("/pki/certificates/" + serial + "/revoke", "{\"reason\":\"keyCompromise\"}").status());
        long revoked = System.nanoTime();
        while (!refused(asAgent)) { // the open connection: refused at its next request
            assertTrue("a revoked certificate still passes after 5 s", System.nanoTime() - revoked < 5_000_000_000L);
            Thread.sleep(20);
        }
        System.out.printf("revoked client certificate refused on REST %d ms after the revocation%n", (System.nanoTime() - revoked) / 1_000_000);
        assertRefused("a revoked certificate on a new connection", node.http(agent));

        Http withShortLived = node.http(shortLived);
        assertEquals(200, withShortLived.get("/types").status());
        awaitEnd("short");
        assertRefused("an expired certificate on its open connection", withShortLived);
        assertRefused("an expired certificate on a new connection", node.http(shortLived));
        awaitEnd("short-admin");
        assertGatewayRefuses("an expired admin certificate", shortAdmin);
        String adminSerial = JSON.readTree(Files.readString(work.resolve("admin.json"))).get("serial").asText();
        assertEquals(200, node.http().post("/pki/certificates/" + adminSerial + "/revoke", "{}").status());
        assertGatewayRefuses("a revoked admin certificate", admin);
    }

    /** Waits until the certificate issued as {@code name} has expired. */
    private static void awaitEnd(String name) throws Exception {
        Instant end = Instant.parse(JSON.readTree(Files.readString(work.resolve(name + ".json"))).get("notAfter").asText());
        while (!Instant.now().isAfter(end.plusSeconds(1))) {
            Thread.sleep(200);
        }
    }

    private static void assertGatewayRefuses(String what, KeyManager[] keys) throws Exception {
        try {
            assertEquals(what, 403, gatewayAdmin(keys).statusCode());
        } catch (IOException refusedInTheHandshake) {
            // as it should
        }
    }

    /** GET /configuration/cluster of the gateway's admin API, presenting {@code keys} (none when null). */
    private static HttpResponse<String> gatewayAdmin(KeyManager[] keys) throws Exception {
        HttpClient client = node.http(keys).clientWithoutLogin();
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.gatewayAdminPort() + "/configuration/cluster")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Issues a certificate for agent a1 of {@code subsystem} for the key in agent.key, and answers a key manager presenting it. */
    private static KeyManager[] certificate(String name, String subsystem, long validitySeconds) throws Exception {
        Http.Answer issued = node.http().post("/pki/certificates", JSON.writeValueAsString(Map.of(
                "csr", Files.readString(work.resolve("agent.csr")), "subsystem", subsystem, "agentId", "a1", "node", node.name(),
                "validitySeconds", validitySeconds)));
        assertEquals(issued.body(), 201, issued.status());
        Files.writeString(work.resolve(name + ".json"), issued.body());
        Files.writeString(work.resolve(name + ".pem"), issued.json().get("certificatePem").asText());
        return keyManagers(name + ".pem");
    }

    private static KeyManager[] keyManagers(String certificate) throws Exception {
        String store = certificate.replace(".pem", ".p12");
        openssl("pkcs12", "-export", "-inkey", "agent.key", "-in", certificate, "-out", store, "-passout", "pass:test");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(work.resolve(store))) {
            keys.load(in, "test".toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
        factory.init(keys, "test".toCharArray());
        return new KeyManager[] {new PresentedAnyway((X509ExtendedKeyManager) factory.getKeyManagers()[0])};
    }

    /**
     * Presents its certificate whatever issuers the server names: a JDK client would otherwise
     * keep a certificate of another CA to itself, and the server would never get to refuse it.
     */
    private static final class PresentedAnyway extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        PresentedAnyway(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return chooseClientAlias(keyTypes, null, null);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            for (String keyType : keyTypes) {
                String[] aliases = keys.getClientAliases(keyType, null);
                if (aliases != null && aliases.length > 0) {
                    return aliases[0];
                }
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys.getClientAliases(keyType, null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    private static void assertRefused(String what, Http client) throws InterruptedException {
        assertTrue(what + " was accepted", refused(client));
    }

    /** The TLS handshake fails, or the request is refused as forbidden. */
    private static boolean refused(Http client) throws InterruptedException {
        try {
            Http.Answer answer = client.get("/types");
            assertNotNull(answer);
            return answer.status() == 403;
        } catch (IOException handshakeRefused) {
            return true;
        }
    }

    private static int login(HttpClient client, String path, String userAndPassword) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.httpsPort() + path));
        if (userAndPassword != null) {
            request.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String openssl(String... arguments) throws Exception {
        return new OpenSsl(work).succeed(arguments);
    }
}
