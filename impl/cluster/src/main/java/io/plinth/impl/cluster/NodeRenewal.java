package io.plinth.impl.cluster;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;

import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Node certificates are short-lived and renewed: each node asks the CA's node for a certificate
 * for a fresh key at half its certificate's life, proving with its current key that it is the node
 * the certificate names ({@link NodeProof}). A node whose certificate lapsed (it was down) proves
 * the same with the expired one, for up to {@link #REATTESTATION_WINDOW} after it lapsed (the CA's
 * ledger keeps it that long): re-attestation, with no token and no admin. A revoked certificate,
 * one renewed already, or one of a node no longer a member, renews nothing. The new certificate
 * names the same node, id and addresses: a member cannot have itself certified for another's.
 */
final class NodeRenewal {

    /** How long after its certificate lapsed a node may still renew it; later it rejoins with a token. */
    static final Duration REATTESTATION_WINDOW = Duration.ofDays(1);

    private NodeRenewal() {
    }

    /**
     * The CA's side: checks the proof — which must come with the node's latest certificate, or the
     * one before it when the answer to a renewal was lost: an older key, stolen, renews nothing —
     * and certifies the new key for the same node, with the
     * same names. DENIED for anything but a live member's own, unrevoked, latest certificate.
     */
    static JoinProtocol.Certified grant(JoinProtocol.Renewal request, Authority ca, CertificateManager ledger, Predicate<String> isMember,
                                        Duration validity) {
        X509Certificate old = NodeProof.verify(request, ca, ledger, isMember, REATTESTATION_WINDOW);
        String node = Subjects.attribute(old.getSubjectX500Principal(), BCStyle.OU);
        if (!ledger.latestNodeCertificates(node, 2).contains(old.getSerialNumber().toString(16))) {
            throw new PlinthException(Reason.DENIED, "certificate " + old.getSerialNumber().toString(16) + " of node " + node
                    + " was renewed already: only the latest (or the one it renewed, if its answer was lost) renews");
        }
        return renewOwn(ca, ledger, old, Authority.provenKey(Pem.request(request.csr())), validity, isMember);
    }

    /**
     * Certifies {@code next} for the node {@code current} names; on the CA's node for itself, with
     * no proof (its CA key is proof enough, whatever the age of its certificate). A node that
     * stopped being a member meanwhile (decommissioned) gets nothing: what was issued is revoked.
     */
    static JoinProtocol.Certified renewOwn(Authority ca, CertificateManager ledger, X509Certificate current, java.security.PublicKey next,
                                           Duration validity, Predicate<String> isMember) {
        X509Certificate renewed = ca.renewNode(next, current, validity);
        ledger.keep(renewed);
        String node = Subjects.attribute(current.getSubjectX500Principal(), BCStyle.OU);
        if (!isMember.test(node)) {
            ledger.revokeNode(node);
            throw new PlinthException(Reason.DENIED, "node " + node + " is no member of cluster " + ca.cluster() + " any more");
        }
        return new JoinProtocol.Certified(Pem.of(renewed), Pem.of(ca.certificate()));
    }

    /**
     * Checks what the CA answered: its CA is the one pinned, the certificate valid under it, for
     * {@code keys} and for the same node as {@code current}. The new key entry.
     */
    static NodeFiles.KeyEntry accept(JoinProtocol.Certified answer, String caFingerprint, NodeFiles.KeyEntry current, KeyPair keys) {
        X509Certificate ca = Pem.certificate(answer.ca());
        X509Certificate certificate = Pem.certificate(answer.certificate());
        if (!Authority.fingerprint(ca).equals(caFingerprint)) {
            throw new PlinthException(Reason.DENIED, "the renewal came back from a CA other than this cluster's");
        }
        try {
            Authority.verify(certificate, ca);
        } catch (GeneralSecurityException e) {
            throw new PlinthException(Reason.DENIED, "the renewed certificate is not valid under the cluster CA: " + e.getMessage());
        }
        if (!certificate.getPublicKey().equals(keys.getPublic())
                || !certificate.getSubjectX500Principal().equals(current.certificate().getSubjectX500Principal())) {
            throw new PlinthException(Reason.FAILED, "the CA certified another key or another node");
        }
        return new NodeFiles.KeyEntry(keys.getPrivate(), new X509Certificate[] {certificate, ca});
    }

    /** When to renew: half the certificate's life from its issue, give or take a tenth of it ({@code jitter} in [-1, 1]). */
    static Instant due(X509Certificate certificate, double jitter) {
        Instant issued = certificate.getNotBefore().toInstant().plus(Authority.CLOCK_SKEW);
        Duration lifetime = Duration.between(issued, certificate.getNotAfter().toInstant());
        return issued.plus(lifetime.dividedBy(2)).plusMillis((long) (jitter * 0.1 * lifetime.toMillis()));
    }
}
