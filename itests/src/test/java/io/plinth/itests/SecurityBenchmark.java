package io.plinth.itests;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import javax.inject.Inject;

import io.plinth.api.cluster.ClusterService;
import io.plinth.api.credentials.CredentialService;
import io.plinth.api.pki.AgentCertificates;
import io.plinth.api.pki.AgentRequest;
import io.plinth.api.pki.CertificateAuthority;
import io.plinth.api.pki.CertificateRequest;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.osgi.util.tracker.ServiceTracker;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * In-process figures of the security services on a booted node: operations per second through
 * {@link CredentialService#run} (policy check, secret unsealed with AES-GCM, computed, wiped, audit
 * line written) for HMAC-SHA256, ES256 JWS and AWS SigV4, the latency of one HMAC signature, and
 * how long the cluster CA takes to issue an agent certificate.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SecurityBenchmark extends PlinthTestSupport {

    private static final String CALLER = "shell:benchmark";

    @Inject
    protected CredentialService credentials;
    @Inject
    protected ClusterService cluster;

    @Test
    public void signaturesPerSecond() throws Exception {
        credentials.add(CALLER, "bench-hmac", "hmac-sha256", Map.of(), Map.of("key", "benchmark-secret".toCharArray()));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        String pem = Base64.getEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded());
        credentials.add(CALLER, "bench-es256", "jws", Map.of("alg", "ES256"), Map.of("privateKey", pem.toCharArray()));
        credentials.add(CALLER, "bench-aws", "aws-sigv4", Map.of("accessKeyId", "AKIDEXAMPLE", "region", "us-east-1", "service", "s3"),
                Map.of("secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".toCharArray()));

        Map<String, String> message = Map.of("message", "GET /bucket/key 20261122T120000Z");
        for (int i = 0; i < 50_000; i++) {
            credentials.run(CALLER, "bench-hmac", "sign", message);
        }
        Percentiles latency = new Percentiles(100_000);
        for (int i = 0; i < 100_000; i++) {
            long start = System.nanoTime();
            credentials.run(CALLER, "bench-hmac", "sign", message);
            latency.add(System.nanoTime() - start);
        }
        Percentiles.report("credentials hmac-sha256 sign, one thread: " + latency.summary("latency"));
        Percentiles.report(String.format("credentials hmac-sha256 signs/s, 2 threads, 5 s: %.0f",
                perSecond("bench-hmac", "sign", message)));
        Percentiles.report(String.format("credentials jws ES256 signs/s, 2 threads, 5 s: %.0f",
                perSecond("bench-es256", "sign", Map.of("payload", "{\"sub\":\"bench\"}"))));
        Percentiles.report(String.format("credentials aws-sigv4 sign-request/s, 2 threads, 5 s: %.0f",
                perSecond("bench-aws", "sign-request", Map.of("method", "GET", "uri", "/bucket/key?list-type=2",
                        "headers", "Host:bucket.s3.amazonaws.com\nX-Amz-Date:" + java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
                                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")) + "\n", "body", ""))));
    }

    @Test
    public void certificateIssue() throws Exception {
        cluster.initialize("benchmark");
        ServiceTracker<CertificateAuthority, CertificateAuthority> tracker = new ServiceTracker<>(bundleContext, CertificateAuthority.class, null);
        tracker.open();
        CertificateAuthority authority = tracker.waitForService(30_000);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair agent = generator.generateKeyPair();
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=agent"), agent.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(agent.getPrivate()));
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(csr.getEncoded())
                + "\n-----END CERTIFICATE REQUEST-----\n";
        CertificateRequest request = new CertificateRequest(pem, "component", "bench-1", "benchmark", List.of("agent.plinth.internal"),
                List.of(), List.of("component"), null);
        for (int i = 0; i < 200; i++) {
            authority.issue(request);
        }
        Percentiles issued = new Percentiles(1000);
        for (int i = 0; i < 1000; i++) {
            long start = System.nanoTime();
            authority.issue(request);
            issued.add(System.nanoTime() - start);
        }
        tracker.close();
        Percentiles.report("certificate issue, in process (CSR check, EC P-256 signature, ledger forced to disk): " + issued.summary("latency"));

        // The subsequent handoff as the harness does it for an instance: a token, then its redemption (key made, CSR, issue).
        ServiceTracker<AgentCertificates, AgentCertificates> agents = new ServiceTracker<>(bundleContext, AgentCertificates.class, null);
        agents.open();
        AgentCertificates manager = agents.waitForService(30_000);
        AgentRequest instance = new AgentRequest("component", "bench-instance", null, null, null, null);
        for (int i = 0; i < 200; i++) {
            manager.redeem(manager.issueToken(instance));
        }
        Percentiles handoff = new Percentiles(1000);
        for (int i = 0; i < 1000; i++) {
            long start = System.nanoTime();
            manager.redeem(manager.issueToken(instance));
            handoff.add(System.nanoTime() - start);
        }
        agents.close();
        Percentiles.report("instance certificate by one-time token, in process (token, key pair, CSR, issue): " + handoff.summary("latency"));
    }

    @Test
    public void managementRequestsOverHttps() throws Exception {
        Http http = http();
        http.awaitUp(java.time.Duration.ofSeconds(30));
        for (int i = 0; i < 2_000; i++) {
            http.get("/types");
        }
        Percentiles kept = new Percentiles(5_000);
        for (int i = 0; i < 5_000; i++) {
            long start = System.nanoTime();
            http.get("/types");
            kept.add(System.nanoTime() - start);
        }
        Percentiles.report("REST GET /types over HTTPS, keep-alive connection, admin login remembered: " + kept.summary("latency"));
        String login = "Basic " + Base64.getEncoder().encodeToString((ADMIN + ":" + ADMIN_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Percentiles fresh = new Percentiles(500);
        for (int i = 0; i < 500; i++) {
            long start = System.nanoTime();
            java.net.http.HttpResponse<Void> answer = http.clientWithoutLogin().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(http.base() + "/types")).header("Authorization", login).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            fresh.add(System.nanoTime() - start);
            if (answer.statusCode() != 200) {
                throw new AssertionError("GET /types answered " + answer.statusCode());
            }
        }
        Percentiles.report("REST GET /types over HTTPS, a new TLS connection each (full handshake, EC P-256): " + fresh.summary("latency"));
    }

    private double perSecond(String credential, String operation, Map<String, String> inputs) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder done = new LongAdder();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread worker = new Thread(() -> {
                try {
                    while (running.get()) {
                        credentials.run(CALLER, credential, operation, inputs);
                        done.increment();
                    }
                } catch (RuntimeException e) {
                    failure.set(e);
                }
            });
            worker.start();
            workers.add(worker);
        }
        Thread.sleep(5_000);
        running.set(false);
        for (Thread worker : workers) {
            worker.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return done.sum() / 5.0;
    }
}
