package io.plinth.api.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The certificate manager of a node (seed §4.9.6, subsequent handoff), registered on every node:
 * a spawner about to start an agent here asks for a one-time token for it and hands the token to
 * the agent over a private channel (in process, or a pipe; never argv, the environment or a
 * file); the agent redeems it for its own certificate. Tokens are single-use and expire after
 * {@link #TOKEN_VALIDITY}. The CA's node signs; other nodes ask it, proving who they are with their
 * node key. Every method fails with {@link io.plinth.api.error.PlinthException}: UNAVAILABLE while
 * the node is in no cluster or cannot reach the CA, DENIED for a used, unknown or expired token.
 */
@ProviderType
public interface AgentCertificates {

    /** How long a token can be redeemed. */
    Duration TOKEN_VALIDITY = Duration.ofMinutes(10);

    /** A one-time token for an agent about to start on this node; INVALID for a bad request, such as a {@code node} sub-system. */
    String issueToken(AgentRequest request);

    /**
     * A one-time token for an agent that another agent, {@code spawner}, is about to start here
     * (seed §4.9.6: spawning is a capability): DENIED unless the spawner's certificate — a client
     * certificate its caller has checked — lists the requested sub-system in its capabilities.
     */
    String issueToken(AgentRequest request, X509Certificate spawner);

    /** Spends a token: a key made here and its certificate, for an agent running in this JVM. */
    AgentIdentity redeem(String token);

    /** Spends a token for an agent in another process, which made its key itself and sends a PKCS #10 request (PEM) for it. */
    IssuedCertificate redeem(String token, String csrPem);

    /** Revokes a certificate issued to an agent of this node, e.g. because the agent ended; {@code reason}: an RFC 5280 reason name. */
    void revoke(String serial, String reason);
}
