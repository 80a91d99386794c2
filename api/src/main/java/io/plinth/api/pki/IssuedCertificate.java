package io.plinth.api.pki;

import java.time.Instant;

/**
 * A certificate the authority issued, and what became of it.
 *
 * @param serial           its serial number, hexadecimal
 * @param subject          its subject, RFC 2253
 * @param notBefore        valid from
 * @param notAfter         valid until
 * @param certificatePem   the certificate, PEM
 * @param revokedAt        when it was revoked, or null
 * @param revocationReason why (an RFC 5280 reason name), or null
 */
public record IssuedCertificate(String serial, String subject, Instant notBefore, Instant notAfter, String certificatePem,
                                Instant revokedAt, String revocationReason) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
