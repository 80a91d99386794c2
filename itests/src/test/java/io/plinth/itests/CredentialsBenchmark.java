package io.plinth.itests;

import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import javax.inject.Inject;

import io.plinth.api.credentials.CredentialService;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * In-process figures of the credentials service on a booted node: operations per second through
 * {@link CredentialService#run} (policy check, secret unsealed with AES-GCM, computed, wiped, audit
 * line written) for HMAC-SHA256, ES256 JWS and AWS SigV4, and the latency of one HMAC signature.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CredentialsBenchmark extends PlinthTestSupport {

    private static final String CALLER = "shell:benchmark";

    @Inject
    protected CredentialService credentials;

    @Test
    public void signaturesPerSecond() throws Exception {
        credentials.add("bench-hmac", "hmac-sha256", Map.of(), Map.of("key", "benchmark-secret".toCharArray()));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        String pem = Base64.getEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded());
        credentials.add("bench-es256", "jws", Map.of("alg", "ES256"), Map.of("privateKey", pem.toCharArray()));
        credentials.add("bench-aws", "aws-sigv4", Map.of("accessKeyId", "AKIDEXAMPLE", "region", "us-east-1", "service", "s3"),
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
                        "headers", "Host:bucket.s3.amazonaws.com\nX-Amz-Date:20261122T120000Z\n", "body", ""))));
    }

    private double perSecond(String credential, String operation, Map<String, String> inputs) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder done = new LongAdder();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread worker = new Thread(() -> {
                while (running.get()) {
                    credentials.run(CALLER, credential, operation, inputs);
                    done.increment();
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
        return done.sum() / 5.0;
    }
}
