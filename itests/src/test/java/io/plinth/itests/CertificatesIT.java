package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The cluster CA issuing agent certificates and revoking them, checked with {@code openssl} as a
 * relying party would: the subject scheme and extensions, {@code openssl verify -crl_check}
 * against the CRL the node publishes, and {@code openssl ocsp} against its OCSP responder, before
 * and after a revocation.
 */
public class CertificatesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static NodeProcess node;
    private static Path work;

    @BeforeClass
    public static void startNode() throws Exception {
        node = new NodeProcess(Path.of("target/nodes/certificates"), 23000);
        node.start();
        node.awaitUp(Duration.ofSeconds(120));
        assertEquals(201, node.http().post("/cluster", "{\"name\":\"pki-test\"}").status());
        work = Files.createDirectories(Path.of("target/pki").toAbsolutePath());
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "agent.key");
        openssl("req", "-new", "-key", "agent.key", "-subj", "/CN=whatever-the-ca-decides", "-out", "agent.csr");
        Files.write(work.resolve("ca.pem"), node.http().getBytes("/pki/ca"));
    }

    @AfterClass
    public static void stopNode() throws Exception {
        node.close();
    }

    @Test
    public void certificatesCarryTheSubjectSchemeAndAreRevokedForEveryRelyingParty() throws Exception {
        JsonNode issued = issue(3600);
        String serial = issued.get("serial").asText();
        Files.writeString(work.resolve("agent.pem"), issued.get("certificatePem").asText());
        String text = openssl("x509", "-in", "agent.pem", "-noout", "-text");
        assertTrue(text, text.contains("DC = pki-test, O = gateway, OU = certificates, UID = gw-1"));
        assertTrue(text, text.contains("DNS:gw.plinth.internal") && text.contains("URI:https://gw.plinth.internal:8443/"));
        String pki = node.http().base() + "/pki";
        assertTrue(text, text.contains("URI:" + pki + "/crl") && text.contains("OCSP - URI:" + pki + "/ocsp"));
        Duration lasts = Duration.between(Instant.parse(issued.get("notBefore").asText()), Instant.parse(issued.get("notAfter").asText()));
        assertEquals("an hour, plus the five minutes of clock skew allowed", Duration.ofMinutes(65), lasts);

        assertEquals("agent.pem: OK", verifyWithCrl().trim());
        assertTrue(ocsp(), ocsp().contains("agent.pem: good"));

        Http.Answer revoked = node.http().post("/pki/certificates/" + serial + "/revoke", "{\"reason\":\"keyCompromise\"}");
        assertEquals(revoked.body(), 200, revoked.status());
        String afterRevocation = ocsp();
        assertTrue(afterRevocation, afterRevocation.contains("agent.pem: revoked") && afterRevocation.contains("Reason: keyCompromise"));
        assertTrue(verifyWithCrl().contains("certificate revoked"));
        assertTrue(node.http().get("/pki/certificates").body().contains("\"revocationReason\":\"keycompromise\""));
    }

    @Test
    public void badRequestsAreRefusedAndIssuingIsFast() throws Exception {
        assertEquals(400, node.http().post("/pki/certificates", JSON.writeValueAsString(Map.of("csr", "not a csr",
                "subsystem", "gateway", "agentId", "gw-1", "node", "certificates"))).status());
        Http.Answer tooLong = node.http().post("/pki/certificates", body(Duration.ofDays(400).toSeconds()));
        assertEquals(tooLong.body(), 400, tooLong.status());
        assertEquals(404, node.http().post("/pki/certificates/abcdef/revoke", "{}").status());
        Http.Answer nodeSubsystem = node.http().post("/pki/certificates", body(600).replace("\"gateway\"", "\"node\""));
        assertEquals("node certificates come from joins only: " + nodeSubsystem.body(), 400, nodeSubsystem.status());
        for (JsonNode certificate : node.http().get("/pki/certificates").json()) {
            if (certificate.get("subject").asText().contains("O=node,")) {
                assertEquals("the CA node's own certificate stays valid", 409,
                        node.http().post("/pki/certificates/" + certificate.get("serial").asText() + "/revoke", "{}").status());
            }
        }
        assertEquals(400, node.http().post("/pki/certificates/" + issue(600).get("serial").asText() + "/revoke",
                "{\"reason\":\"because\"}").status());

        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long start = System.nanoTime();
            issue(600);
            micros.add((System.nanoTime() - start) / 1000);
        }
        micros.sort(null);
        System.out.printf("certificate issue through REST (CSR check, EC P-256 signature, ledger written): p50 %.2f ms, p99 %.2f ms%n",
                micros.get(100) / 1000.0, micros.get(198) / 1000.0);
    }

    @Test
    public void aTokenIsRedeemedOnceForACertificateOfThisNode() throws Exception {
        Http.Answer token = node.http().post("/pki/tokens", "{\"subsystem\":\"tool\",\"agentId\":\"backup-1\"}");
        assertEquals(token.body(), 201, token.status());
        String redeem = JSON.writeValueAsString(Map.of("token", token.json().get("token").asText(),
                "csr", Files.readString(work.resolve("agent.csr"))));
        HttpClient withoutLogin = node.http().clientWithoutLogin(); // the new agent has no identity yet: the token is its credential
        HttpResponse<String> redeemed = withoutLogin.send(HttpRequest.newBuilder(URI.create(node.http().base() + "/pki/tokens/redeem"))
                .POST(HttpRequest.BodyPublishers.ofString(redeem)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(redeemed.body(), 201, redeemed.statusCode());
        assertTrue(redeemed.body(), JSON.readTree(redeemed.body()).get("subject").asText().contains("O=tool,DC=pki-test")
                && redeemed.body().contains("OU=certificates") && redeemed.body().contains("UID=backup-1"));
        HttpResponse<String> again = withoutLogin.send(HttpRequest.newBuilder(URI.create(node.http().base() + "/pki/tokens/redeem"))
                .POST(HttpRequest.BodyPublishers.ofString(redeem)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("a token serves once: " + again.body(), 403, again.statusCode());
        assertEquals("tokens are for agents, not nodes", 400,
                node.http().post("/pki/tokens", "{\"subsystem\":\"node\",\"agentId\":\"x\"}").status());
    }

    @Test
    public void anInstanceHasItsOwnCertificateRevokedWhenItEnds() throws Exception {
        TestCluster.registerEcho(node);
        String instance = TestCluster.echoInstances(node, "1.0.0", 1, "certified").get(0);
        Http.Answer identity = node.http().post("/calls", "{\"target\":\"instance:" + instance + "\",\"operation\":\"identity\"}");
        assertEquals(identity.body(), 200, identity.status());
        String serial = identity.json().get(0).get("outputs").get("serial").asText();
        String subject = node.http().get("/pki/certificates/" + serial).json().get("subject").asText();
        assertTrue(subject, subject.contains("UID=" + instance) && subject.contains("OU=certificates") && subject.contains("O=component"));
        assertEquals("the same certificate at each ask", serial, node.http().post("/calls", "{\"target\":\"instance:" + instance
                + "\",\"operation\":\"identity\"}").json().get(0).get("outputs").get("serial").asText());

        assertEquals(200, node.http().post("/instances/" + instance + "/destroy", "{\"graceMs\":500}").status());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (node.http().get("/pki/certificates/" + serial).json().get("revokedAt").isNull()) {
            assertTrue("the destroyed instance's certificate is revoked within 10 s", System.nanoTime() < deadline);
            Thread.sleep(100);
        }
        assertEquals("cessationofoperation", node.http().get("/pki/certificates/" + serial).json().get("revocationReason").asText());
    }

    private static JsonNode issue(long validitySeconds) throws Exception {
        Http.Answer issued = node.http().post("/pki/certificates", body(validitySeconds));
        assertEquals(issued.body(), 201, issued.status());
        return issued.json();
    }

    private static String body(long validitySeconds) throws IOException {
        return JSON.writeValueAsString(Map.of("csr", Files.readString(work.resolve("agent.csr")), "subsystem", "gateway",
                "agentId", "gw-1", "node", "certificates", "dnsNames", List.of("gw.plinth.internal"),
                "uris", List.of("https://gw.plinth.internal:8443/"), "capabilities", List.of("component"),
                "validitySeconds", validitySeconds));
    }

    /** {@code openssl verify -crl_check} with the CRL the node publishes now. */
    private static String verifyWithCrl() throws Exception {
        Files.write(work.resolve("crl.der"), node.http().getBytes("/pki/crl"));
        openssl("crl", "-inform", "DER", "-in", "crl.der", "-out", "crl.pem");
        return openssl("verify", "-CAfile", "ca.pem", "-crl_check", "-CRLfile", "crl.pem", "agent.pem");
    }

    private static String ocsp() throws Exception {
        return openssl("ocsp", "-issuer", "ca.pem", "-cert", "agent.pem", "-CAfile", "ca.pem", "-url", node.http().base() + "/pki/ocsp");
    }

    /** Runs openssl in the work directory; answers what it printed (standard output and error). */
    private static String openssl(String... arguments) throws Exception {
        return new OpenSsl(work).run(arguments);
    }
}
