package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The credentials service of a node run as a process, through REST: the public AWS Signature V4
 * test suite signed by the service; HMAC, JWS (HS256, ES256, EdDSA) and ECDSA/RSA signatures that
 * verify with the public keys; policies that refuse; and the secrets nowhere to be found — not in
 * a REST answer, a log line, a file of the node, or its process' arguments and environment — while
 * the credentials survive a restart.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING) // the last test restarts the node
public class CredentialsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The AWS suite's one vector whose files disagree with each other: its string to sign is not the hash of its canonical request. */
    private static final String SUITE_ERRATUM = "post-x-www-form-urlencoded-parameters";
    private static NodeProcess node;
    private static final List<byte[]> SECRETS = new ArrayList<>();

    @BeforeClass
    public static void startNode() throws Exception {
        node = new NodeProcess(Path.of("target/nodes/credentials"), 22000);
        node.configure("io.plinth.credentials.cfg", "policies",
                "shell:* * *, user:admin aws-* *, user:admin test-* *, user:admin other-* add");
        node.start();
        node.awaitUp(Duration.ofSeconds(120));
    }

    @AfterClass
    public static void stopNode() throws Exception {
        node.close();
    }

    @Test
    public void a_theAwsSignatureV4TestSuitePassesThroughTheService() throws Exception {
        JsonNode suite = JSON.readTree(Path.of(System.getProperty("plinth.sigv4.suite")).toFile());
        JsonNode config = suite.get("config");
        add("aws-suite", "aws-sigv4", Map.of("accessKeyId", config.get("accessKeyId").asText(), "region", config.get("region").asText(),
                "service", config.get("service").asText(), "anyDate", "true"), "secretAccessKey", config.get("secretAccessKey").asText());
        int signed = 0;
        for (JsonNode vector : suite.get("tests").get("all")) {
            String name = vector.get("name").asText();
            String request = vector.get("req").asText();
            int headersEnd = request.indexOf("\n\n");
            String head = headersEnd < 0 ? request : request.substring(0, headersEnd);
            String body = headersEnd < 0 ? "" : request.substring(headersEnd + 2);
            String requestLine = head.substring(0, head.indexOf('\n'));
            String method = requestLine.substring(0, requestLine.indexOf(' '));
            String uri = requestLine.substring(method.length() + 1, requestLine.lastIndexOf(" HTTP/"));
            // The headers the suite signed (its requests carry one more, Content-Length, in two vectors).
            List<String> signedNames = List.of(vector.get("authz").asText().replaceAll(".*SignedHeaders=([^,]*),.*", "$1").split(";"));
            StringBuilder headers = new StringBuilder();
            for (String line : head.substring(requestLine.length() + 1).split("\n")) {
                if (signedNames.contains(line.substring(0, line.indexOf(':')).toLowerCase(java.util.Locale.ROOT))) {
                    headers.append(line).append('\n');
                }
            }
            Http.Answer answer = node.http().post("/credentials/aws-suite/sign-request", JSON.writeValueAsString(Map.of("inputs",
                    Map.of("method", method, "uri", uri, "headers", headers.toString(), "body", body))));
            assertEquals(name + ": " + answer.body(), 200, answer.status());
            String expectedCanonical = vector.get("creq").asText();
            if (name.equals(SUITE_ERRATUM)) {
                assertEquals(name, expectedCanonical, answer.json().get("canonicalRequest").asText());
                continue;
            }
            if (sha256Hex(expectedCanonical).equals(last(vector.get("sts").asText()))) { // the suite's files agree
                assertEquals(name, expectedCanonical, answer.json().get("canonicalRequest").asText());
            }
            assertEquals(name, vector.get("sts").asText(), answer.json().get("stringToSign").asText());
            assertEquals(name, vector.get("authz").asText(), answer.json().get("authorization").asText());
            signed++;
        }
        System.out.printf("AWS SigV4 test suite: %d of %d vectors signed as expected (%s: canonical request only)%n",
                signed, suite.get("tests").get("all").size(), SUITE_ERRATUM);
        assertEquals(suite.get("tests").get("all").size() - 1, signed);

        // S3's own example (GET Object, "Signature Calculations for the Authorization Header"): no path
        // normalization, x-amz-content-sha256 added by the module since the request lacks it.
        add("aws-s3", "aws-sigv4", Map.of("accessKeyId", "AKIAIOSFODNN7EXAMPLE", "region", "us-east-1", "service", "s3", "anyDate", "true"),
                "secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        Http.Answer s3 = node.http().post("/credentials/aws-s3/sign-request", JSON.writeValueAsString(Map.of("inputs", Map.of(
                "method", "GET", "uri", "/test.txt", "headers", "Host:examplebucket.s3.amazonaws.com\nRange:bytes=0-9\nx-amz-date:20130524T000000Z\n"))));
        assertEquals(s3.body(), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", s3.json().get("signature").asText());
        add("aws-live", "aws-sigv4", Map.of("accessKeyId", "AKID", "region", "eu-west-1", "service", "sqs"), "secretAccessKey", "live-secret-value");
        Http.Answer old = node.http().post("/credentials/aws-live/sign-request",
                "{\"inputs\":{\"method\":\"GET\",\"uri\":\"/\",\"headers\":\"Host:sqs.eu-west-1.amazonaws.com\\nX-Amz-Date:20150830T123600Z\"}}");
        assertEquals("a date far from now is not signed: " + old.body(), 400, old.status());
    }

    @Test
    public void b_signaturesVerifyWithThePublicKeys() throws Exception {
        // RFC 4231, test case 2
        add("test-hmac", "hmac-sha256", Map.of(), "key", "Jefe");
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                sign("test-hmac", Map.of("message", "what do ya want for nothing?")).get("signature").asText());

        String claims = "{\"sub\":\"instance-42\",\"aud\":\"billing\",\"exp\":4102444800}";
        add("test-jws-hs", "jws", Map.of("alg", "HS256"), "key", "a-long-shared-secret-for-hs256-tokens!");
        String[] hs = sign("test-jws-hs", Map.of("payload", claims)).get("jws").asText().split("\\.");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("a-long-shared-secret-for-hs256-tokens!".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals(base64url(mac.doFinal((hs[0] + "." + hs[1]).getBytes(StandardCharsets.US_ASCII))), hs[2]);
        assertEquals(claims, new String(Base64.getUrlDecoder().decode(hs[1]), StandardCharsets.UTF_8));

        KeyPair p256 = keyPair("EC");
        add("test-jws-es", "jws", Map.of("alg", "ES256", "kid", "k1"), "privateKey", pem(p256));
        String[] es = sign("test-jws-es", Map.of("payload", claims)).get("jws").asText().split("\\.");
        assertEquals("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"k1\"}", new String(Base64.getUrlDecoder().decode(es[0]), StandardCharsets.UTF_8));
        assertEquals("R and S, 32 bytes each", 64, Base64.getUrlDecoder().decode(es[2]).length);
        assertTrue(verifies(p256.getPublic(), "SHA256withECDSAinP1363Format", es[0] + "." + es[1], Base64.getUrlDecoder().decode(es[2])));

        KeyPair ed25519 = keyPair("Ed25519");
        add("test-jws-ed", "jws", Map.of("alg", "EdDSA"), "privateKey", pem(ed25519));
        String[] ed = sign("test-jws-ed", Map.of("payload", claims)).get("jws").asText().split("\\.");
        assertTrue(verifies(ed25519.getPublic(), "Ed25519", ed[0] + "." + ed[1], Base64.getUrlDecoder().decode(ed[2])));

        KeyPair rsa = keyPair("RSA");
        add("test-rsa", "signature", Map.of("algorithm", "SHA256withRSA"), "privateKey", pem(rsa));
        byte[] signature = Base64.getDecoder().decode(sign("test-rsa", Map.of("message", "hello")).get("signatureBase64").asText());
        assertTrue(verifies(rsa.getPublic(), "SHA256withRSA", "hello", signature));

        Http.Answer wrongKey = node.http().post("/credentials", JSON.writeValueAsString(Map.of("name", "test-bad", "module", "jws",
                "shareable", Map.of("alg", "ES256"), "secrets", Map.of("privateKey", "not a key"))));
        assertEquals(wrongKey.body(), 400, wrongKey.status());
        assertEquals(404, node.http().get("/credentials/test-bad").status());
    }

    @Test
    public void c_policiesDecideWhoMayUseWhat() throws Exception {
        add("other-hmac", "hmac-sha256", Map.of(), "key", "not-for-rest-callers");
        Http.Answer denied = node.http().post("/credentials/other-hmac/sign", "{\"inputs\":{\"message\":\"x\"}}");
        assertEquals(denied.body(), 403, denied.status());
        assertEquals("DENIED", denied.json().get("error").asText());
        assertEquals("removing needs a rule too", 403, node.http().delete("/credentials/other-hmac").status());
        assertEquals("a denial tells nothing of what exists", 403, node.http().post("/credentials/other-nothing/sign", "{}").status());
        assertEquals(404, node.http().post("/credentials/test-nothing/sign", "{\"inputs\":{}}").status());
        assertEquals("an operation name cannot forge an audit line", 400,
                node.http().post("/credentials/test-hmac/sign%0Aoutcome=ok", "{}").status());
        assertTrue("the refusal is an audit event", Files.readString(node.home().resolve("data/log/karaf.log"))
                .contains("credential-use caller=user:admin credential=other-hmac operation=sign outcome=denied"));
    }

    @Test
    public void d_noSecretIsEverHandedOutOrWrittenDown() throws Exception {
        JsonNode listed = node.http().get("/credentials").json();
        JsonNode hmac = null;
        for (JsonNode credential : listed) {
            if (credential.get("name").asText().equals("test-hmac")) {
                hmac = credential;
            }
        }
        assertEquals(List.of("key"), List.of(hmac.get("secretFields").get(0).asText()));
        List<String> answers = List.of(listed.toString(), node.http().get("/credentials/aws-suite").body());
        for (byte[] secret : SECRETS) {
            for (String answer : answers) {
                assertFalse("a secret in a REST answer", answer.contains(new String(secret, StandardCharsets.UTF_8)));
            }
        }
        try (Stream<Path> files = Files.walk(node.home())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(file);
                for (byte[] secret : SECRETS) {
                    assertFalse("a secret in " + file, contains(content, secret));
                }
            }
        }
        long pid = node.pid();
        for (String part : List.of("cmdline", "environ")) {
            byte[] content = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), part));
            for (byte[] secret : SECRETS) {
                assertFalse("a secret in the node's " + part, contains(content, secret));
            }
        }
        System.out.printf("credentials: %d secrets looked for in REST answers, %s, argv and environment: none found%n",
                SECRETS.size(), node.home());
    }

    @Test
    public void e_credentialsSurviveARestartSealed() throws Exception {
        String before = sign("test-hmac", Map.of("message", "after a restart")).get("signature").asText();
        node.stop();
        node.start();
        node.awaitUp(Duration.ofSeconds(120));
        assertEquals(before, sign("test-hmac", Map.of("message", "after a restart")).get("signature").asText());
    }

    // --- helpers --------------------------------------------------------------------------------

    private static void add(String name, String module, Map<String, String> shareable, String secretField, String secret) throws Exception {
        SECRETS.add(secret.getBytes(StandardCharsets.UTF_8));
        Http.Answer added = node.http().post("/credentials", JSON.writeValueAsString(Map.of("name", name, "module", module,
                "shareable", shareable, "secrets", Map.of(secretField, secret))));
        assertEquals(added.body(), 201, added.status());
        assertEquals(List.of(secretField), List.of(added.json().get("secretFields").get(0).asText()));
    }

    private static JsonNode sign(String credential, Map<String, String> inputs) throws Exception {
        Http.Answer answer = node.http().post("/credentials/" + credential + "/sign", JSON.writeValueAsString(Map.of("inputs", inputs)));
        assertEquals(answer.body(), 200, answer.status());
        return answer.json();
    }

    private static KeyPair keyPair(String algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else if (algorithm.equals("RSA")) {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    /** The private key as PKCS #8 PEM; its base64 body is what must never show up anywhere. */
    private static String pem(KeyPair keys) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded());
        SECRETS.add(Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()).substring(0, 60).getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
    }

    private static boolean verifies(PublicKey key, String algorithm, String signed, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(key);
        verifier.update(signed.getBytes(StandardCharsets.US_ASCII));
        return verifier.verify(signature);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String last(String lines) {
        return lines.substring(lines.lastIndexOf('\n') + 1);
    }

    private static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
