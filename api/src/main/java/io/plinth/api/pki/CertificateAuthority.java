package io.plinth.api.pki;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The cluster CA issuing and revoking agent certificates; registered on the node that holds the
 * CA. Certificates name where their revocation is published: a CRL distribution point and an OCSP
 * responder, both served over HTTP by the REST API ({@code /pki/crl}, {@code /pki/ocsp}). Every
 * method fails with {@link io.plinth.api.error.PlinthException}.
 */
@ProviderType
public interface CertificateAuthority {

    /** How long a certificate lasts unless asked otherwise: short, so that a lost key is soon worthless. */
    Duration DEFAULT_VALIDITY = Duration.ofHours(1);

    /** The longest a certificate may last. */
    Duration MAX_VALIDITY = Duration.ofDays(30);

    /** The CA's certificate, PEM. */
    String caCertificatePem();

    /** Certifies the key of a request; INVALID for a bad request (signature, names, validity). */
    IssuedCertificate issue(CertificateRequest request);

    /** Revokes a certificate ({@code reason}: an RFC 5280 reason name, null for unspecified); NOT_FOUND for an unknown serial. */
    IssuedCertificate revoke(String serial, String reason);

    /** The certificates issued and not yet expired, newest first. */
    List<IssuedCertificate> issued();

    /** NOT_FOUND for an unknown serial. */
    IssuedCertificate certificate(String serial);

    /** The current CRL (DER), signed by the CA, valid for an hour. */
    byte[] crl();

    /** Answers an OCSP request (DER, RFC 6960) with a response signed by the CA (DER). */
    byte[] ocsp(byte[] request);
}
