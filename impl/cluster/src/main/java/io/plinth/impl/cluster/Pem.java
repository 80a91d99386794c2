package io.plinth.impl.cluster;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM, the text form certificates and certificate requests travel in (never keys: they stay where they were made). */
final class Pem {

    private Pem() {
    }

    static String of(Object certificateOrRequest) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificateOrRequest);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    static X509Certificate certificate(String pem) {
        Object parsed = parse(pem);
        if (!(parsed instanceof X509CertificateHolder holder)) {
            throw new IllegalArgumentException("not a PEM certificate");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a valid certificate: " + e.getMessage(), e);
        }
    }

    /** A CRL from its DER encoding; null (and logged by the caller's check) when it is none. */
    static X509CRL crl(byte[] der) {
        try {
            return (X509CRL) java.security.cert.CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(der));
        } catch (java.security.cert.CRLException | CertificateException | ClassCastException e) {
            return null;
        }
    }

    static PKCS10CertificationRequest request(String pem) {
        Object parsed = parse(pem);
        if (!(parsed instanceof PKCS10CertificationRequest request)) {
            throw new IllegalArgumentException("not a PEM certificate request (PKCS #10)");
        }
        return request;
    }

    private static Object parse(String pem) {
        if (pem == null) {
            throw new IllegalArgumentException("no PEM text");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return parser.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid PEM: " + e.getMessage(), e);
        }
    }
}
