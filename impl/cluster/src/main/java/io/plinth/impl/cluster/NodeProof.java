package io.plinth.impl.cluster;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Predicate;

import javax.security.auth.x500.X500Principal;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.pki.IssuedCertificate;

import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * How a member proves to the CA's node that it sent a request: its node certificate, the time,
 * and its node key's signature (SHA-256 with ECDSA or RSA, as the key is) over the request's JSON with the proof unsigned (certificate and
 * time included, so neither can be swapped). The CA believes it for a node certificate it issued,
 * on its ledger, not revoked, of a node still a member, the time within {@link #FRESHNESS}.
 */
final class NodeProof {

    /** How far a request's time may be from the CA's clock: an old request cannot be replayed later. */
    private static final Duration FRESHNESS = Duration.ofMinutes(5);

    private NodeProof() {
    }

    /** {@code request}, signed with this node's key. */
    static <T extends JoinProtocol.Proven<T>> T sign(T request, NodeFiles.KeyEntry node) {
        JoinProtocol.Proof unsigned = new JoinProtocol.Proof(Pem.of(node.certificate()), Instant.now().getEpochSecond(), null);
        byte[] signed = signedBytes(request.withProof(unsigned));
        try {
            Signature signer = Signature.getInstance(Authority.signatureAlgorithm(node.key()));
            signer.initSign(node.key());
            signer.update(signed);
            return request.withProof(new JoinProtocol.Proof(unsigned.certificate(), unsigned.epochSecond(),
                    Base64.getEncoder().encodeToString(signer.sign())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a request to the CA", e);
        }
    }

    /**
     * The node certificate that proves {@code request}, checked; {@code lapsedFor}: how long after
     * its end the certificate still counts (zero: it must be valid now). DENIED otherwise.
     */
    static X509Certificate verify(JoinProtocol.Proven<?> request, Authority ca, CertificateManager ledger, Predicate<String> isMember,
                                  Duration lapsedFor) {
        JoinProtocol.Proof proof = request.proof();
        if (proof == null || proof.certificate() == null || proof.signature() == null) {
            throw new PlinthException(Reason.DENIED, "the request carries no proof of the node that sent it");
        }
        X509Certificate certificate = Pem.certificate(proof.certificate());
        try {
            certificate.verify(ca.certificate().getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PlinthException(Reason.DENIED, "this certificate was not issued by the CA of cluster " + ca.cluster());
        }
        X500Principal subject = certificate.getSubjectX500Principal();
        String node = Subjects.attribute(subject, BCStyle.OU);
        if (!"node".equals(Subjects.attribute(subject, BCStyle.O)) || node == null || Subjects.attribute(subject, BCStyle.UID) == null) {
            throw new PlinthException(Reason.DENIED, "only node certificates prove a member, not " + subject.getName());
        }
        Instant now = Instant.now();
        if (now.isBefore(certificate.getNotBefore().toInstant()) || now.isAfter(certificate.getNotAfter().toInstant().plus(lapsedFor))) {
            throw new PlinthException(Reason.DENIED, "the certificate of node " + node + (lapsedFor.isZero() ? " is not valid now"
                    : " lapsed more than " + lapsedFor.toHours() + " h ago: join again with a token"));
        }
        IssuedCertificate kept;
        try {
            kept = ledger.certificate(certificate.getSerialNumber().toString(16));
        } catch (PlinthException unknown) {
            throw new PlinthException(Reason.DENIED, "the CA has no record of certificate " + certificate.getSerialNumber().toString(16));
        }
        if (kept.revoked()) {
            throw new PlinthException(Reason.DENIED, "the certificate of node " + node + " is revoked");
        }
        if (!isMember.test(node)) {
            throw new PlinthException(Reason.DENIED, "node " + node + " is no member of cluster " + ca.cluster() + " any more");
        }
        if (Duration.between(Instant.ofEpochSecond(proof.epochSecond()), now).abs().compareTo(FRESHNESS) > 0) {
            throw new PlinthException(Reason.DENIED, "the request's time is more than " + FRESHNESS.toMinutes() + " min off the CA's clock");
        }
        byte[] signed = signedBytes(request.withProof(new JoinProtocol.Proof(proof.certificate(), proof.epochSecond(), null)));
        if (!verifies(certificate.getPublicKey(), signed, proof.signature())) {
            throw new PlinthException(Reason.DENIED, "the request is not signed with the key of the certificate it names");
        }
        return certificate;
    }

    private static byte[] signedBytes(Object request) {
        try {
            return JoinProtocol.JSON.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean verifies(PublicKey key, byte[] data, String signature) {
        try {
            Signature verifier = Signature.getInstance(Authority.signatureAlgorithm(key));
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
