package io.plinth.api.cluster;

import java.time.Instant;

/**
 * A one-time join token.
 *
 * @param token   what the new node is given: opaque text, a secret until used
 * @param seed    the member it is redeemed at, {@code host:port}
 * @param expires when it stops being accepted
 */
public record JoinToken(String token, String seed, Instant expires) {

    @Override
    public String toString() {
        return "JoinToken[seed=" + seed + ", expires=" + expires + "]"; // never the secret
    }
}
