package io.plinth.impl.cluster;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

import java.util.List;

import io.plinth.api.error.PlinthException;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The cluster's certificate authority (seed 000 §4.9): an EC P-256 key and a self-signed
 * certificate {@code DC=<cluster>, O=plinth, CN=Plinth cluster CA}, which signs node
 * certificates with the seed's subject scheme: DC = cluster, O = sub-system ({@code node}),
 * OU = node name, UID = node id, and the node's address as subject alternative name.
 */
final class Authority {

    private static final String SIGNATURE = "SHA256withECDSA";
    /** Certificates start a little in the past: clocks of the nodes are never quite the same. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * The Plinth capabilities extension: a SEQUENCE of UTF8Strings naming the sub-systems an agent
     * may spawn or request certificates for. A UUID-derived OID (ITU-T X.667): no registry needed.
     */
    static final ASN1ObjectIdentifier CAPABILITIES = new ASN1ObjectIdentifier("2.25.243501073196795897223087452474900559469");
    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final java.util.regex.Pattern DNS_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private final PrivateKey key;
    private final X509Certificate certificate;

    Authority(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    /** A new CA for a cluster. */
    static Authority create(String cluster, Duration validity) {
        KeyPair pair = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.DC, cluster).addRDN(BCStyle.O, "plinth")
                .addRDN(BCStyle.CN, "Plinth cluster CA").build();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, pair.getPublic(), validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
            return new Authority(pair.getPrivate(), sign(builder, pair.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create the cluster CA", e);
        }
    }

    /**
     * A self-signed certificate for a node in no cluster ({@code CN=<node>, O=plinth}): what its
     * management channels present until it has a node certificate; its admins pin it.
     */
    static X509Certificate selfSigned(KeyPair pair, String nodeName, List<GeneralName> names, Duration validity) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "plinth").addRDN(BCStyle.CN, nodeName).build();
        try {
            X509v3CertificateBuilder builder = builder(subject, subject, pair.getPublic(), validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            return sign(builder, pair.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make the self-signed certificate of " + nodeName, e);
        }
    }

    /** The sub-systems a certificate's capabilities extension lists (none without one). */
    static List<String> capabilities(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue(CAPABILITIES.getId());
        if (extension == null) {
            return List.of();
        }
        try {
            List<String> listed = new java.util.ArrayList<>();
            for (ASN1Encodable entry : org.bouncycastle.asn1.ASN1Sequence.getInstance(JcaX509ExtensionUtils.parseExtensionValue(extension))) {
                listed.add(DERUTF8String.getInstance(entry).getString());
            }
            return listed;
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw PlinthException.invalid("the certificate's capabilities extension does not parse: " + e.getMessage());
        }
    }

    /** A fresh EC P-256 key pair, made in this process: the CA's, and every key unless configured otherwise. */
    static KeyPair newKeyPair() {
        return newKeyPair("EC");
    }

    /** A fresh key pair made in this process: {@code EC} (P-256) or {@code RSA} (2048 bits). */
    static KeyPair newKeyPair(String algorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            switch (algorithm) {
                case "EC" -> generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                case "RSA" -> generator.initialize(2048, RANDOM);
                default -> throw new IllegalArgumentException("keys are EC or RSA, not " + algorithm);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no " + algorithm + " key generator in this JVM", e);
        }
    }

    /** The signature algorithm for a key: SHA-256 with ECDSA or RSA. */
    static String signatureAlgorithm(java.security.Key key) {
        return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : SIGNATURE;
    }

    PrivateKey key() {
        return key;
    }

    X509Certificate certificate() {
        return certificate;
    }

    String cluster() {
        return Subjects.attribute(certificate.getSubjectX500Principal(), BCStyle.DC);
    }

    /** A node's certificate, for a key whose possession its requester proved. */
    X509Certificate certifyNode(PublicKey nodeKey, String nodeName, String nodeId, String host, Duration validity) {
        return certify(nodeKey, new Agent("node", nodeName, nodeId, List.of(alternativeName(host)), List.of()), null, validity);
    }

    /**
     * A node's next certificate, for a new key: the same subject and subject alternative names as
     * {@code current} (a renewal changes the key and the dates, never whom or where it names).
     */
    X509Certificate renewNode(PublicKey nodeKey, X509Certificate current, Duration validity) {
        javax.security.auth.x500.X500Principal subject = current.getSubjectX500Principal();
        List<GeneralName> names;
        try {
            byte[] extension = current.getExtensionValue(Extension.subjectAlternativeName.getId());
            names = extension == null ? List.of()
                    : List.of(GeneralNames.getInstance(JcaX509ExtensionUtils.parseExtensionValue(extension)).getNames());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the node certificate's alternative names do not parse", e);
        }
        return certify(nodeKey, new Agent("node", Subjects.attribute(subject, BCStyle.OU), Subjects.attribute(subject, BCStyle.UID), names,
                List.of()), null, validity);
    }

    /**
     * Who a certificate is for: DC = this cluster, O = {@code subsystem}, OU = {@code node},
     * UID = {@code id}; its endpoints as subject alternative names; what it may spawn or request
     * certificates for.
     */
    record Agent(String subsystem, String node, String id, List<GeneralName> names, List<String> capabilities) {
    }

    /**
     * An agent's certificate, for a key whose possession its requester proved; when
     * {@code revocationUrl} is given (the base of {@code /crl} and {@code /ocsp}), it names the
     * CRL distribution point and the OCSP responder there.
     */
    X509Certificate certify(PublicKey agentKey, Agent agent, String revocationUrl, Duration validity) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.DC, cluster()).addRDN(BCStyle.O, agent.subsystem())
                .addRDN(BCStyle.OU, agent.node()).addRDN(BCStyle.UID, agent.id()).build();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    subject, agentKey, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(agentKey))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
            if (!agent.names().isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(agent.names().toArray(GeneralName[]::new)));
            }
            if (!agent.capabilities().isEmpty()) {
                builder.addExtension(CAPABILITIES, false, new DERSequence(agent.capabilities().stream()
                        .map(DERUTF8String::new).toArray(ASN1Encodable[]::new)));
            }
            if (revocationUrl != null) {
                GeneralName crl = new GeneralName(GeneralName.uniformResourceIdentifier, revocationUrl + "/crl");
                builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                        new DistributionPoint(new DistributionPointName(new GeneralNames(crl)), null, null)}));
                builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                        AccessDescription.id_ad_ocsp, new GeneralName(GeneralName.uniformResourceIdentifier, revocationUrl + "/ocsp")));
            }
            return sign(builder, key);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot certify " + agent.subsystem() + " agent " + agent.id(), e);
        }
    }

    /** The SHA-256 of a certificate's encoding, as lowercase hex: how a token names the CA. */
    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 160 random bits, hex: a node's id (its certificate's UID). */
    static String newId() {
        byte[] id = new byte[20];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /**
     * The subject alternative name for a node's address: an IP literal or a DNS name, checked
     * strictly and without any lookup. IllegalArgumentException for anything else.
     */
    static GeneralName alternativeName(String host) {
        if (host != null && IPV4.matcher(host).matches()) {
            return new GeneralName(GeneralName.iPAddress, host);
        }
        if (host != null && host.contains(":") && host.matches("[0-9A-Fa-f:.]+")) {
            try {
                return new GeneralName(GeneralName.iPAddress, InetAddress.getByName(host).getHostAddress()); // a literal: no lookup
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an IPv6 address: " + host, e);
            }
        }
        if (host != null && host.length() <= 253 && DNS_NAME.matcher(host).matches()) {
            return new GeneralName(GeneralName.dNSName, host);
        }
        throw new IllegalArgumentException("a node's address is an IP address or a DNS name, not '" + host + "'");
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** A PKCS #10 request for {@code keys}, signed with them; {@code CN=commonName} (the CA decides the real subject). */
    static PKCS10CertificationRequest request(KeyPair keys, String commonName) {
        try {
            return new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                    new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build(), keys.getPublic())
                    .build(new JcaContentSignerBuilder(signatureAlgorithm(keys.getPrivate())).build(keys.getPrivate()));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key of a certificate request whose signature shows its sender holds the private key. */
    static PublicKey provenKey(PKCS10CertificationRequest request) {
        try {
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(request.getSubjectPublicKeyInfo()))) {
                throw PlinthException.invalid("the certificate request's signature does not match its key");
            }
            return new JcaPKCS10CertificationRequest(request).getPublicKey();
        } catch (OperatorCreationException | PKCSException | GeneralSecurityException e) {
            throw PlinthException.invalid("the certificate request cannot be checked: " + e.getMessage());
        }
    }

    /** A signer with the CA's key, for what the CA publishes besides certificates (CRLs, OCSP answers). */
    ContentSigner signer() throws OperatorCreationException {
        return new JcaContentSignerBuilder(SIGNATURE).build(key);
    }

    /** Checks that a certificate was signed by a CA and is valid now. */
    static void verify(X509Certificate issued, X509Certificate ca) throws GeneralSecurityException {
        issued.verify(ca.getPublicKey());
        issued.checkValidity();
    }
}
