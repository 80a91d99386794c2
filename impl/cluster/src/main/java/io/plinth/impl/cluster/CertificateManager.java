package io.plinth.impl.cluster;

import java.io.IOException;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.plinth.api.error.PlinthException;
import io.plinth.api.pki.CertificateAuthority;
import io.plinth.api.pki.CertificateRequest;
import io.plinth.api.pki.IssuedCertificate;

import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA's node issuing agent certificates (seed §4.9.6) and publishing their revocation: a CRL
 * and an OCSP responder, both signed by the CA itself (Bouncy Castle). What it issued is kept by
 * {@link IssuedLedger} until a day after it expired.
 */
final class CertificateManager implements CertificateAuthority {

    /** What is kept of an issued certificate. */
    record Issued(String serial, String subject, long notBefore, long notAfter, String pem, Long revokedAt, String reason) {
        IssuedCertificate view() {
            return new IssuedCertificate(serial, subject, Instant.ofEpochMilli(notBefore), Instant.ofEpochMilli(notAfter), pem,
                    revokedAt == null ? null : Instant.ofEpochMilli(revokedAt), reason);
        }

        Issued revoked(long at, String why) {
            return new Issued(serial, subject, notBefore, notAfter, pem, at, why);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(CertificateManager.class);
    private static final String AGENT_NAME = "[A-Za-z0-9][A-Za-z0-9._:-]{0,127}";
    /** A sub-system (O): no ':', so that an agent's identity O/UID never reads as user:NAME or shell:USER. */
    private static final String SUBSYSTEM = "[a-z0-9][a-z0-9._-]{0,63}";
    private static final Duration KEPT_AFTER_EXPIRY = Duration.ofDays(1);
    /** How long a CRL or an OCSP answer may be relied on: revocations reach relying parties within that. */
    private static final Duration FRESHNESS = Duration.ofHours(1);
    private static final Map<String, Integer> REASONS = reasons();

    private final Authority authority;
    private final String revocationUrl;
    /** Tells the cluster: a new CRL is due. */
    private final Runnable revocationsChanged;
    private final IssuedLedger ledger = new IssuedLedger();
    /** By serial, in issue order. */
    private final Map<String, Issued> issued;
    private String protectedSerial;
    /** Grows with every CRL, never backwards while the CA runs (RFC 5280 §5.2.3). */
    private long crlNumber;

    CertificateManager(Authority authority, String revocationUrl, Runnable revocationsChanged) {
        this.authority = authority;
        this.revocationUrl = revocationUrl;
        this.revocationsChanged = revocationsChanged;
        long forgotten = System.currentTimeMillis() - KEPT_AFTER_EXPIRY.toMillis();
        issued = ledger.load(certificate -> certificate.notAfter() < forgotten); // no CRL needs those any more
    }

    /** Closes the ledger: the CA's node stops being one (this component stops). */
    void close() {
        ledger.close();
    }

    @Override
    public String caCertificatePem() {
        return Pem.of(authority.certificate());
    }

    @Override
    public IssuedCertificate issue(CertificateRequest request) {
        if (request == null || request.csrPem() == null) {
            throw PlinthException.invalid("a certificate request needs csrPem, a PKCS #10 request");
        }
        for (String[] name : new String[][] {{"subsystem", request.subsystem()}, {"agentId", request.agentId()}, {"node", request.node()}}) {
            if (name[1] == null || !name[1].matches(AGENT_NAME)) {
                throw PlinthException.invalid(name[0] + " is letters, digits, '.', '_', ':', '-' (up to 128), not '" + name[1] + "'");
            }
        }
        Duration validity = request.validity() == null ? DEFAULT_VALIDITY : request.validity();
        if (validity.compareTo(Duration.ofMinutes(1)) < 0 || validity.compareTo(MAX_VALIDITY) > 0) {
            throw PlinthException.invalid("a certificate lasts 1 min to " + MAX_VALIDITY.toDays() + " days, not " + validity);
        }
        if (!request.subsystem().matches(SUBSYSTEM)) {
            throw PlinthException.invalid("a subsystem is lowercase letters, digits, '.', '_', '-' (up to 64), not '" + request.subsystem() + "'");
        }
        if (request.subsystem().equals("node")) {
            throw PlinthException.invalid("O=node is for the nodes' own certificates, which only a join issues");
        }
        PKCS10CertificationRequest csr;
        try {
            csr = Pem.request(request.csrPem());
        } catch (RuntimeException e) {
            throw PlinthException.invalid("csrPem is no PKCS #10 request: " + e.getMessage());
        }
        PublicKey key = Authority.provenKey(csr);
        List<GeneralName> names = new ArrayList<>();
        for (String dns : request.dnsNames()) {
            try {
                names.add(Authority.alternativeName(dns));
            } catch (IllegalArgumentException e) {
                throw PlinthException.invalid(e.getMessage());
            }
        }
        request.uris().forEach(uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, checkedUri(uri))));
        X509Certificate certificate = authority.certify(key, new Authority.Agent(request.subsystem(), request.node(), request.agentId(),
                names, request.capabilities()), revocationUrl, validity);
        return keep(certificate).view();
    }

    /** Keeps a certificate issued here (an agent's, or a node's at its join), so that it can be revoked. */
    Issued keep(X509Certificate certificate) {
        Issued kept = new Issued(certificate.getSerialNumber().toString(16), certificate.getSubjectX500Principal().getName(),
                certificate.getNotBefore().getTime(), certificate.getNotAfter().getTime(), Pem.of(certificate), null, null);
        synchronized (this) {
            ledger.append(kept);
            issued.put(kept.serial(), kept);
        }
        LOG.info("Issued certificate {} to {} until {}", kept.serial(), kept.subject(), certificate.getNotAfter().toInstant());
        return kept;
    }

    /** Revokes the node certificates of a node that left for good (cessation of operation). */
    void revokeNode(String node) {
        Optional<String> any;
        synchronized (this) {
            any = issued.values().stream().filter(c -> c.revokedAt() == null && node.equals(nodeOf(c))).map(Issued::serial).findAny();
        }
        any.ifPresent(serial -> revoke(serial, "cessationOfOperation")); // revokes all of them
    }

    /**
     * The serials of the node's latest certificates, newest first (each renewal supersedes the one
     * before; the one before it stays for a renewal whose answer was lost).
     */
    synchronized List<String> latestNodeCertificates(String node, int count) {
        return issued.values().stream().filter(c -> node.equals(nodeOf(c))).sorted(Comparator.comparingLong(Issued::notBefore).reversed())
                .limit(count).map(Issued::serial).toList();
    }

    /** The node (OU) any certificate names. */
    private static String ouOf(Issued certificate) {
        return Subjects.attribute(new javax.security.auth.x500.X500Principal(certificate.subject()), org.bouncycastle.asn1.x500.style.BCStyle.OU);
    }

    /** The node (OU) a node certificate is for; null for another certificate. */
    private static String nodeOf(Issued certificate) {
        javax.security.auth.x500.X500Principal subject = new javax.security.auth.x500.X500Principal(certificate.subject());
        return "node".equals(Subjects.attribute(subject, org.bouncycastle.asn1.x500.style.BCStyle.O))
                ? Subjects.attribute(subject, org.bouncycastle.asn1.x500.style.BCStyle.OU) : null;
    }

    /**
     * Revokes a certificate; a node certificate with all the others of that node (renewals made
     * several, and a stolen older key must not outlive the node's revocation) and those of its
     * agents (they named a node that is no key to anything any more).
     */
    @Override
    public IssuedCertificate revoke(String serial, String reason) {
        String why = reason == null || reason.isBlank() ? "unspecified" : reason.trim();
        if (!REASONS.containsKey(why.toLowerCase(Locale.ROOT))) {
            throw PlinthException.invalid("a revocation reason is one of " + REASONS.keySet() + ", not " + why);
        }
        boolean changed = false;
        synchronized (this) {
            Issued certificate = find(serial);
            String node = nodeOf(certificate);
            List<Issued> targets = node == null ? List.of(certificate) // a node's: all of its own and of its agents (OU)
                    : issued.values().stream().filter(c -> node.equals(ouOf(c))).toList();
            if (targets.stream().anyMatch(c -> c.serial().equals(protectedSerial))) {
                throw PlinthException.conflict("certificate " + serial + " is the CA node's: revoked, nobody could reach the CA any more");
            }
            long now = System.currentTimeMillis();
            for (Issued target : targets) {
                if (target.revokedAt() == null) {
                    Issued revoked = target.revoked(now, why.toLowerCase(Locale.ROOT));
                    ledger.append(revoked);
                    issued.put(revoked.serial(), revoked);
                    changed = true;
                    LOG.info("Revoked certificate {} of {}: {}", revoked.serial(), revoked.subject(), revoked.reason());
                }
            }
        }
        if (changed) {
            revocationsChanged.run(); // outside the lock: publishing waits for the cluster
        }
        return certificate(serial);
    }

    /** The CA node's own certificate, which must never be revoked. */
    synchronized void protect(X509Certificate own) {
        protectedSerial = own.getSerialNumber().toString(16);
    }

    @Override
    public synchronized List<IssuedCertificate> issued() {
        long now = System.currentTimeMillis();
        return issued.values().stream().filter(c -> c.notAfter() > now).sorted(Comparator.comparingLong(Issued::notBefore).reversed())
                .map(Issued::view).toList();
    }

    @Override
    public synchronized IssuedCertificate certificate(String serial) {
        return find(serial).view();
    }

    @Override
    public byte[] crl() {
        Date now = new Date();
        try {
            JcaX509v2CRLBuilder crl = new JcaX509v2CRLBuilder(authority.certificate(), now);
            crl.setNextUpdate(new Date(now.getTime() + FRESHNESS.toMillis()));
            for (Issued revoked : revokedNow()) {
                crl.addCRLEntry(new BigInteger(revoked.serial(), 16), new Date(revoked.revokedAt()), REASONS.get(revoked.reason()));
            }
            crl.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(nextCrlNumber(now.getTime()))));
            crl.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(authority.certificate()));
            return crl.build(authority.signer()).getEncoded();
        } catch (IOException | OperatorCreationException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the CRL", e);
        }
    }

    private synchronized long nextCrlNumber(long now) {
        crlNumber = Math.max(crlNumber + 1, now);
        return crlNumber;
    }

    @Override
    public byte[] ocsp(byte[] request) {
        try {
            OCSPReq question;
            try {
                question = new OCSPReq(request);
            } catch (IOException | RuntimeException malformed) {
                return new OCSPRespBuilder().build(OCSPRespBuilder.MALFORMED_REQUEST, null).getEncoded();
            }
            DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
            X509CertificateHolder ca = new JcaX509CertificateHolder(authority.certificate());
            BasicOCSPRespBuilder answer = new JcaBasicOCSPRespBuilder(authority.certificate().getPublicKey(),
                    digests.get(CertificateID.HASH_SHA1));
            Date now = new Date();
            Date nextUpdate = new Date(now.getTime() + FRESHNESS.toMillis());
            for (Req one : question.getRequestList()) {
                CertificateID id = one.getCertID();
                answer.addResponse(id, id.matchesIssuer(ca, digests) ? status(id.getSerialNumber()) : new UnknownStatus(), now, nextUpdate, null);
            }
            Extension nonce = question.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (nonce != null) {
                answer.setResponseExtensions(new Extensions(nonce));
            }
            BasicOCSPResp signed = answer.build(authority.signer(),
                    new X509CertificateHolder[] {ca}, now);
            return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, signed).getEncoded();
        } catch (IOException | OCSPException | OperatorCreationException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot answer an OCSP request", e);
        }
    }

    private synchronized CertificateStatus status(BigInteger serial) {
        Issued certificate = issued.get(serial.toString(16));
        if (certificate == null) {
            return new UnknownStatus();
        }
        return certificate.revokedAt() == null ? CertificateStatus.GOOD
                : new RevokedStatus(new Date(certificate.revokedAt()), REASONS.get(certificate.reason()));
    }

    private synchronized List<Issued> revokedNow() {
        long now = System.currentTimeMillis();
        return issued.values().stream().filter(c -> c.revokedAt() != null && c.notAfter() > now).toList();
    }

    private Issued find(String serial) {
        Issued certificate = serial == null ? null : issued.get(serial.trim().toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", ""));
        if (certificate == null) {
            throw PlinthException.notFound("no certificate with serial " + serial + " was issued here");
        }
        return certificate;
    }

    private static String checkedUri(String uri) {
        try {
            java.net.URI parsed = new java.net.URI(uri);
            if (parsed.getScheme() == null) {
                throw new java.net.URISyntaxException(uri, "no scheme");
            }
            return parsed.toString();
        } catch (java.net.URISyntaxException e) {
            throw PlinthException.invalid("not an absolute URI: " + uri);
        }
    }

    /** RFC 5280 reason names, as a relying party reads them, to their codes. */
    private static Map<String, Integer> reasons() {
        Map<String, Integer> reasons = new LinkedHashMap<>();
        reasons.put("unspecified", CRLReason.unspecified);
        reasons.put("keycompromise", CRLReason.keyCompromise);
        reasons.put("affiliationchanged", CRLReason.affiliationChanged);
        reasons.put("superseded", CRLReason.superseded);
        reasons.put("cessationofoperation", CRLReason.cessationOfOperation);
        reasons.put("privilegewithdrawn", CRLReason.privilegeWithdrawn);
        return Map.copyOf(reasons);
    }
}
