package io.plinth.impl.cluster;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Predicate;

import javax.security.auth.x500.X500Principal;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.pki.IssuedCertificate;

import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Node certificates are short-lived and renewed: each node asks the CA's node for a certificate
 * for a fresh key at half its certificate's life, proving with its current key that it is the node
 * the certificate names. A node whose certificate lapsed (it was down) proves the same with the
 * expired one, for up to {@link #REATTESTATION_WINDOW} after it lapsed (the CA's ledger keeps it
 * that long): re-attestation, with no token and no admin. A revoked certificate, or one of a node
 * no longer a member, renews nothing.
 */
final class NodeRenewal {

    /** How long after its certificate lapsed a node may still renew it; later it rejoins with a token. */
    static final Duration REATTESTATION_WINDOW = Duration.ofDays(1);
    /** How far a renewal's time may be from the CA's clock: an old request cannot be replayed. */
    private static final Duration FRESHNESS = Duration.ofMinutes(5);
    private static final String SIGNATURE = "SHA256withECDSA";

    private NodeRenewal() {
    }

    /** The renewal a node sends: its current certificate, a request for {@code next}, and the current key's signature. */
    static JoinProtocol.Renewal request(NodeFiles.KeyEntry current, String csrPem, String host) {
        JoinProtocol.Renewal unsigned = new JoinProtocol.Renewal(Pem.of(current.certificate()), csrPem, host,
                Instant.now().getEpochSecond(), null);
        return new JoinProtocol.Renewal(unsigned.certificate(), csrPem, host, unsigned.epochSecond(),
                Base64.getEncoder().encodeToString(sign(current.key(), unsigned.signed())));
    }

    /**
     * The CA's side: checks the proof and certifies the new key for the same node (name, id) at
     * its address now. DENIED for anything but a live member's own, unrevoked certificate.
     */
    static JoinProtocol.Renewed grant(JoinProtocol.Renewal request, Authority ca, CertificateManager ledger, Predicate<String> isMember,
                                      Duration validity) {
        X509Certificate old = Pem.certificate(request.certificate());
        try {
            old.verify(ca.certificate().getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PlinthException(Reason.DENIED, "this certificate was not issued by the CA of cluster " + ca.cluster());
        }
        X500Principal subject = old.getSubjectX500Principal();
        String node = Subjects.attribute(subject, BCStyle.OU);
        String nodeId = Subjects.attribute(subject, BCStyle.UID);
        if (!"node".equals(Subjects.attribute(subject, BCStyle.O)) || node == null || nodeId == null) {
            throw new PlinthException(Reason.DENIED, "only node certificates are renewed here, not " + subject.getName());
        }
        Instant now = Instant.now();
        if (now.isAfter(old.getNotAfter().toInstant().plus(REATTESTATION_WINDOW))) {
            throw new PlinthException(Reason.DENIED, "the certificate of node " + node + " lapsed more than "
                    + REATTESTATION_WINDOW.toHours() + " h ago: join again with a token");
        }
        IssuedCertificate kept;
        try {
            kept = ledger.certificate(old.getSerialNumber().toString(16));
        } catch (PlinthException unknown) {
            throw new PlinthException(Reason.DENIED, "the CA has no record of certificate " + old.getSerialNumber().toString(16));
        }
        if (kept.revokedAt() != null) {
            throw new PlinthException(Reason.DENIED, "the certificate of node " + node + " is revoked");
        }
        if (!isMember.test(node)) {
            throw new PlinthException(Reason.DENIED, "node " + node + " is no member of cluster " + ca.cluster() + " any more");
        }
        if (Duration.between(Instant.ofEpochSecond(request.epochSecond()), now).abs().compareTo(FRESHNESS) > 0) {
            throw new PlinthException(Reason.DENIED, "the renewal's time is more than " + FRESHNESS.toMinutes() + " min off the CA's clock");
        }
        if (request.signature() == null || !verify(old.getPublicKey(), request.signed(), request.signature())) {
            throw new PlinthException(Reason.DENIED, "the renewal is not signed with the key of the certificate it renews");
        }
        PublicKey next = Authority.provenKey(Pem.request(request.csr()));
        try {
            Authority.alternativeName(request.host());
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid(e.getMessage());
        }
        X509Certificate renewed = ca.certifyNode(next, node, nodeId, request.host(), validity);
        ledger.keep(renewed);
        return new JoinProtocol.Renewed(Pem.of(renewed), Pem.of(ca.certificate()));
    }

    /**
     * Checks what the CA answered: its CA is the one pinned, the certificate valid under it, for
     * {@code keys} and for the same node as {@code current}. The new key entry.
     */
    static NodeFiles.KeyEntry accept(JoinProtocol.Renewed answer, String caFingerprint, NodeFiles.KeyEntry current, KeyPair keys) {
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

    /** When to renew: half the certificate's life from its issue, give or take a tenth of it. */
    static Instant due(X509Certificate certificate, double jitter) {
        Instant issued = certificate.getNotBefore().toInstant().plus(Authority.CLOCK_SKEW);
        Duration lifetime = Duration.between(issued, certificate.getNotAfter().toInstant());
        return issued.plus(lifetime.dividedBy(2)).plusMillis((long) (jitter * 0.1 * lifetime.toMillis()));
    }

    private static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature signer = Signature.getInstance(SIGNATURE);
            signer.initSign(key);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the renewal", e);
        }
    }

    private static boolean verify(PublicKey key, byte[] data, String signature) {
        try {
            Signature verifier = Signature.getInstance(SIGNATURE);
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
