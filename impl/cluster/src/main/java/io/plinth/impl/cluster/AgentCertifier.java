package io.plinth.impl.cluster;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.pki.AgentCertificates;
import io.plinth.api.pki.AgentIdentity;
import io.plinth.api.pki.AgentRequest;
import io.plinth.api.pki.CertificateRequest;
import io.plinth.api.pki.IssuedCertificate;

import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * This node's certificate manager (seed §4.9.6, subsequent handoff): one-time tokens for the
 * agents it spawns, redeemed for certificates that name this node (OU). Tokens live in memory only,
 * as the SHA-256 of their text; a restart voids them (the agents they were for are gone too). On
 * the CA's node the CA signs in process; elsewhere the CA's node is asked over its join service,
 * with a {@link NodeProof}; there it checks the agent is on the node that asks.
 */
final class AgentCertifier implements AgentCertificates {

    /** What the certifier needs of the node it runs on, besides what renewals need of its CA. */
    interface Cluster extends NodeIdentity.Ca {
        /** This node's key and certificate; null while it is in no cluster. */
        NodeFiles.KeyEntry identity();

        Optional<NodeFiles.Membership> membership();

        /** EC or RSA: what the keys made here for agents are. */
        String keyAlgorithm();
    }

    /** What the CA's node answers to a revocation. */
    record Revoked(String serial) {
    }

    private record Pending(AgentRequest request, long expiresNanos) {
    }

    /** What a node may have certified for itself: its component instances. */
    static final java.util.Set<String> DELEGATED = java.util.Set.of("component");
    private static final int MAX_PENDING = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Cluster cluster;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    AgentCertifier(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String issueToken(AgentRequest request) {
        member();
        if (request == null || request.subsystem() == null || request.agentId() == null) {
            throw PlinthException.invalid("a token is for an agent: give its subsystem and agentId");
        }
        if ("node".equals(request.subsystem())) {
            throw PlinthException.invalid("O=node is for the nodes' own certificates, which only a join issues");
        }
        long now = System.nanoTime();
        pending.values().removeIf(waiting -> waiting.expiresNanos() - now < 0);
        if (pending.size() >= MAX_PENDING) {
            throw new PlinthException(Reason.UNAVAILABLE, MAX_PENDING + " tokens wait to be redeemed on this node; try again later");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "plinth-agent." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        pending.put(hash(token), new Pending(request, now + TOKEN_VALIDITY.toNanos()));
        return token;
    }

    @Override
    public String issueToken(AgentRequest request, X509Certificate spawner) {
        List<String> capabilities = spawner == null ? List.of() : Authority.capabilities(spawner);
        if (request == null || !capabilities.contains(request.subsystem())) {
            throw new PlinthException(Reason.DENIED, (spawner == null ? "no spawner" : spawner.getSubjectX500Principal().getName())
                    + " may not spawn " + (request == null ? "anything" : request.subsystem() + " agents") + " (its capabilities: "
                    + capabilities + ")");
        }
        return issueToken(request);
    }

    @Override
    public AgentIdentity redeem(String token) {
        Pending spent = spend(token);
        KeyPair keys = Authority.newKeyPair(cluster.keyAlgorithm());
        JoinProtocol.Certified certified = certify(spent.request(), Pem.of(Authority.request(keys, spent.request().agentId())));
        return new AgentIdentity(keys.getPrivate(), List.of(Pem.certificate(certified.certificate()), Pem.certificate(certified.ca())));
    }

    @Override
    public IssuedCertificate redeem(String token, String csrPem) {
        if (csrPem == null) {
            throw PlinthException.invalid("redeeming a token takes csr, a PKCS #10 request for the agent's key");
        }
        Authority.provenKey(Pem.request(csrPem)); // a request that is merely malformed does not spend the token
        Pending spent = spend(token);
        X509Certificate certificate = Pem.certificate(certify(spent.request(), csrPem).certificate());
        return new IssuedCertificate(certificate.getSerialNumber().toString(16), certificate.getSubjectX500Principal().getName(),
                certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(), Pem.of(certificate), null, null);
    }

    @Override
    public void revoke(String serial, String reason) {
        NodeFiles.KeyEntry identity = member();
        JoinProtocol.Revoke request = new JoinProtocol.Revoke(serial, reason, null);
        if (cluster.ledger() != null) {
            revokeFor(request, nodeOf(identity.certificate()));
        } else {
            NodeFiles.Membership membership = cluster.membership().orElseThrow(this::noCluster);
            JoinClient.post(membership.authority(), membership.caFingerprint(), JoinProtocol.REVOKE_PATH, NodeProof.sign(request, identity),
                    Revoked.class);
        }
    }

    /**
     * The CA node's side of a member's {@code POST /certify}: only for the sub-systems a node may
     * spawn by itself ({@link #DELEGATED}), named by the agent's id alone (its {@code urn:plinth:}
     * URI), with no capabilities and for an hour at most — a member, even a compromised one, gets
     * nothing that passes for an admin, another node's agent or a server elsewhere. Other agents
     * are certified on the CA's node, by an admin.
     */
    JoinProtocol.Certified grantCertify(JoinProtocol.Certify request) {
        String node = nodeOf(NodeProof.verify(request, cluster.authority(), ca(), cluster::isMember, Duration.ZERO));
        if (!DELEGATED.contains(request.subsystem())) {
            throw new PlinthException(Reason.DENIED, "a node has only its " + DELEGATED + " agents certified, not " + request.subsystem());
        }
        boolean ownNameOnly = request.uris() == null || request.uris().stream().allMatch(uri -> uri.startsWith("urn:plinth:")
                && uri.endsWith(":" + request.agentId()));
        if ((request.dnsNames() != null && !request.dnsNames().isEmpty()) || !ownNameOnly
                || (request.capabilities() != null && !request.capabilities().isEmpty())
                || (request.validitySeconds() != null && request.validitySeconds() > io.plinth.api.pki.CertificateAuthority.DEFAULT_VALIDITY.toSeconds())) {
            throw new PlinthException(Reason.DENIED, "a node's agents are certified without DNS names, capabilities or other URIs than"
                    + " their urn:plinth: name, for an hour at most");
        }
        return certifyFor(request, node);
    }

    /** The CA node's side of a member's {@code POST /revoke}: certificates of its own delegated agents only. */
    Revoked grantRevoke(JoinProtocol.Revoke request) {
        return revokeFor(request, nodeOf(NodeProof.verify(request, cluster.authority(), ca(), cluster::isMember, Duration.ZERO)));
    }

    private JoinProtocol.Certified certify(AgentRequest agent, String csrPem) {
        NodeFiles.KeyEntry identity = member();
        JoinProtocol.Certify request = new JoinProtocol.Certify(csrPem, agent.subsystem(), agent.agentId(), agent.dnsNames(), agent.uris(),
                agent.capabilities(), agent.validity() == null ? null : agent.validity().toSeconds(), null);
        if (cluster.ledger() != null) {
            return certifyFor(request, nodeOf(identity.certificate()));
        }
        NodeFiles.Membership membership = cluster.membership().orElseThrow(this::noCluster);
        return JoinClient.post(membership.authority(), membership.caFingerprint(), JoinProtocol.CERTIFY_PATH, NodeProof.sign(request, identity),
                JoinProtocol.Certified.class);
    }

    /** Certifies an agent of {@code node}: the CA's own checks of names, sub-system and validity apply. */
    private JoinProtocol.Certified certifyFor(JoinProtocol.Certify request, String node) {
        IssuedCertificate issued = ca().issue(new CertificateRequest(request.csr(), request.subsystem(), request.agentId(), node,
                request.dnsNames(), request.uris(), request.capabilities(),
                request.validitySeconds() == null ? null : Duration.ofSeconds(request.validitySeconds())));
        return new JoinProtocol.Certified(issued.certificatePem(), Pem.of(cluster.authority().certificate()));
    }

    /** Revokes a certificate of an agent of {@code node}; a node revokes its own agents' only. */
    private Revoked revokeFor(JoinProtocol.Revoke request, String node) {
        IssuedCertificate certificate = ca().certificate(request.serial());
        javax.security.auth.x500.X500Principal subject = new javax.security.auth.x500.X500Principal(certificate.subject());
        if (!DELEGATED.contains(Subjects.attribute(subject, BCStyle.O)) || !node.equals(Subjects.attribute(subject, BCStyle.OU))) {
            throw new PlinthException(Reason.DENIED, "node " + node + " may revoke the certificates of its own agents only, not of "
                    + certificate.subject());
        }
        ca().revoke(request.serial(), request.reason());
        return new Revoked(request.serial());
    }

    private Pending spend(String token) {
        Pending spent = token == null ? null : pending.remove(hash(token.trim()));
        if (spent == null || spent.expiresNanos() - System.nanoTime() < 0) {
            throw new PlinthException(Reason.DENIED, "this token is unknown, used or expired");
        }
        return spent;
    }

    private NodeFiles.KeyEntry member() {
        NodeFiles.KeyEntry identity = cluster.identity();
        if (identity == null) {
            throw noCluster();
        }
        return identity;
    }

    private CertificateManager ca() {
        CertificateManager ca = cluster.ledger();
        if (ca == null) {
            throw new PlinthException(Reason.UNAVAILABLE, "this node holds no CA");
        }
        return ca;
    }

    private PlinthException noCluster() {
        return new PlinthException(Reason.UNAVAILABLE, "this node is in no cluster: there is no CA to certify agents");
    }

    private static String nodeOf(X509Certificate nodeCertificate) {
        return Subjects.attribute(nodeCertificate.getSubjectX500Principal(), BCStyle.OU);
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
