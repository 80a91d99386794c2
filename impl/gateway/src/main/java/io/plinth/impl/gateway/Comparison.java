package io.plinth.impl.gateway;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The CONCURRENT mode's judgement of one request (seed 003 §6.1, "Multi-Version Update"): the
 * previous version's answer went to the client (primary); the same request also went to the
 * previous version again (secondary) and to the new one (candidate). The candidate agrees when its
 * status, content type and body match the primary's; like Diffy, whatever differs between primary
 * and secondary — two answers of the same old code — is noise and not held against the candidate.
 * Disagreements count as failures of the new version, which rolls it back when they pile up.
 *
 * <p>Runs on the client connection's event loop, as do its three sources.
 */
final class Comparison {

    /** What one answer looked like; {@code failure} is set when there was no proper answer. */
    record Observed(int status, String contentType, byte[] digest, long nanos, String failure) {
        static Observed failed(String why) {
            return new Observed(0, null, null, 0, why);
        }
    }

    /** Collects status, content type and a running digest of a body that streams past. */
    static final class Recorder {
        private final MessageDigest digest = sha256();
        private final long started = System.nanoTime();
        private long answeredAfter;
        private int status;
        private String contentType;

        void head(HttpResponse response) {
            answeredAfter = System.nanoTime() - started;
            status = response.status().code();
            contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        }

        void body(ByteBuf content) {
            for (java.nio.ByteBuffer part : content.nioBuffers()) {
                digest.update(part);
            }
        }

        Observed observed() {
            return new Observed(status, contentType, digest.digest(), answeredAfter, null);
        }
    }

    private final Health health;
    private final Cluster candidate;
    private Observed primary;
    private Observed secondary;
    private Observed candidateAnswer;

    Comparison(Health health, Cluster candidate) {
        this.health = health;
        this.candidate = candidate;
    }

    void primary(Observed observed) {
        if (primary == null) {
            primary = observed;
            judgeWhenComplete();
        }
    }

    void secondary(Observed observed) {
        secondary = observed;
        judgeWhenComplete();
    }

    void candidate(Observed observed) {
        candidateAnswer = observed;
        judgeWhenComplete();
    }

    private void judgeWhenComplete() {
        if (primary == null || secondary == null || candidateAnswer == null) {
            return;
        }
        if (candidateAnswer.failure() != null) {
            health.failed(candidate, "mirrored request failed: " + candidateAnswer.failure());
            return;
        }
        if (primary.failure() != null || secondary.failure() != null) {
            return; // the old version could not answer: nothing to compare with
        }
        List<String> differences = new ArrayList<>();
        if (primary.status() != candidateAnswer.status()) {
            differences.add("status " + candidateAnswer.status() + " instead of " + primary.status());
        }
        boolean typeIsNoise = !Objects.equals(primary.contentType(), secondary.contentType());
        if (!typeIsNoise && !Objects.equals(primary.contentType(), candidateAnswer.contentType())) {
            differences.add("content type " + candidateAnswer.contentType() + " instead of " + primary.contentType());
        }
        boolean bodyIsNoise = !Arrays.equals(primary.digest(), secondary.digest());
        if (!bodyIsNoise && !Arrays.equals(primary.digest(), candidateAnswer.digest())) {
            differences.add("a different body");
        }
        if (differences.isEmpty()) {
            health.succeeded(candidate, candidateAnswer.nanos());
        } else {
            health.failed(candidate, "answered differently from the previous version: " + String.join(", ", differences));
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
