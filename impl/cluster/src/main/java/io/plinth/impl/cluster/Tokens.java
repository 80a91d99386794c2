package io.plinth.impl.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.support.JsonFile;

/**
 * One-time join tokens. A token's text carries the seed to redeem it at, the CA's fingerprint
 * and a 256-bit secret; the issuing node keeps only the secret's SHA-256, its expiry and whether
 * it was used, in {@code tokens.json}, so a restart neither forgets a use nor reveals a secret.
 */
final class Tokens {

    /** What a token's text says. */
    record Content(String seed, String ca, String secret, long expires) {
    }

    /** What the issuer keeps of a token. */
    record Issued(String secretHash, long expires, boolean used) {
    }

    record Stored(List<Issued> tokens) {
        Stored {
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
        }
    }

    static final String PREFIX = "plinth-join.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JsonFile<Stored> store = new JsonFile<>(JsonFile.nodeStore("cluster", "tokens.json"), Stored.class);

    /** A new token; expired ones are forgotten on the way. */
    synchronized String issue(String seed, String caFingerprint, Duration ttl) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        long expires = Instant.now().plus(ttl).getEpochSecond();
        List<Issued> kept = new ArrayList<>(live());
        kept.add(new Issued(hash(secretText), expires, false));
        store.write(new Stored(kept));
        try {
            byte[] content = JSON.writeValueAsBytes(new Content(seed, caFingerprint, secretText, expires));
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(content);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Marks a token used; DENIED when it is unknown, used already, or expired. */
    synchronized void redeem(Content token) {
        String hash = hash(token.secret());
        List<Issued> all = store.read().map(Stored::tokens).orElse(List.of());
        Optional<Issued> found = all.stream().filter(t -> t.secretHash().equals(hash)).findFirst();
        if (found.isEmpty()) {
            throw new PlinthException(Reason.DENIED, "this join token was not issued here (or expired long ago)");
        }
        if (found.get().used()) {
            throw new PlinthException(Reason.DENIED, "this join token was used already; ask for a new one");
        }
        if (Instant.now().getEpochSecond() >= found.get().expires()) {
            throw new PlinthException(Reason.DENIED, "this join token expired at " + Instant.ofEpochSecond(found.get().expires()));
        }
        store.write(new Stored(all.stream().map(t -> t == found.get() ? new Issued(t.secretHash(), t.expires(), true) : t).toList()));
    }

    /** Reads a token's text; INVALID when it is not one. */
    static Content parse(String token) {
        if (token == null || !token.trim().startsWith(PREFIX)) {
            throw PlinthException.invalid("a join token starts with " + PREFIX);
        }
        try {
            Content content = JSON.readValue(Base64.getUrlDecoder().decode(token.trim().substring(PREFIX.length())), Content.class);
            if (content.seed() == null || content.ca() == null || content.secret() == null) {
                throw PlinthException.invalid("the join token is incomplete");
            }
            return content;
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw PlinthException.invalid("the join token is damaged: " + e.getMessage());
        }
    }

    /** Tokens not expired for an hour, used or not: a used one must stay known to be refused as such. */
    private List<Issued> live() {
        long horizon = Instant.now().minus(Duration.ofHours(1)).getEpochSecond();
        return store.read().map(Stored::tokens).orElse(List.of()).stream().filter(t -> t.expires() > horizon).toList();
    }

    private static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
