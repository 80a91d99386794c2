package io.plinth.impl.cluster;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster channel's trust: the PKIX checks against the cluster CA, then the CA's latest CRL —
 * a peer whose certificate it lists is refused, and the connections already open with one are
 * closed when a CRL that lists it arrives; the channel then has the view drop it at once (rather
 * than waiting on the failure detector), and it cannot come back. The CRL is believed for its CA signature, not
 * for who passed it on.
 */
final class RevocationTrust extends X509ExtendedTrustManager {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationTrust.class);

    private final X509ExtendedTrustManager pkix;
    private final X509Certificate ca;
    private final String cluster;
    private volatile X509CRL crl;
    /** Every open connection, with the certificate its peer showed. */
    private final Map<Socket, X509Certificate> peers = new ConcurrentHashMap<>();
    /** The certificate each node (by its OU) last showed. */
    private final Map<String, X509Certificate> seen = new ConcurrentHashMap<>();

    RevocationTrust(X509ExtendedTrustManager pkix, X509Certificate ca, X509CRL crl) {
        this.pkix = pkix;
        this.ca = ca;
        this.cluster = Subjects.attribute(ca.getSubjectX500Principal(), BCStyle.DC);
        this.crl = crl;
    }

    /**
     * Takes a CRL if the CA signed it and it is not older than the one held; then closes the
     * connections whose peers it revokes. Answers the names (OU) of the nodes seen here whose
     * certificates it revokes, or null when it was not taken.
     */
    synchronized Set<String> update(X509CRL candidate) {
        try {
            candidate.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            LOG.warn("Dropped a CRL the cluster CA did not sign: {}", e.toString());
            return null;
        }
        X509CRL held = crl;
        if (held != null && number(candidate).compareTo(number(held)) <= 0) {
            return null; // not newer than the one held
        }
        crl = candidate;
        Set<String> revoked = new TreeSet<>();
        seen.forEach((node, certificate) -> {
            if (candidate.isRevoked(certificate)) {
                revoked.add(node);
            }
        });
        peers.forEach((socket, certificate) -> {
            if (socket.isClosed()) {
                peers.remove(socket);
            } else if (candidate.isRevoked(certificate)) {
                LOG.warn("Closing the connection with {}: its certificate {} is revoked", certificate.getSubjectX500Principal().getName(),
                        certificate.getSerialNumber().toString(16));
                peers.remove(socket);
                try {
                    socket.close();
                } catch (IOException e) {
                    // closed either way
                }
            }
        });
        return revoked;
    }

    /** A CRL's number (RFC 5280 §5.2.3); -1 without one. */
    static BigInteger number(X509CRL crl) {
        byte[] extension = crl.getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLNumber.getId());
        try {
            return extension == null ? BigInteger.ONE.negate()
                    : ASN1Integer.getInstance(JcaX509ExtensionUtils.parseExtensionValue(extension)).getValue();
        } catch (IOException | IllegalArgumentException e) {
            return BigInteger.ONE.negate();
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
        admit(chain[0], socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
        admit(chain[0], socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
        admit(chain[0], null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
        admit(chain[0], null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
        admit(chain[0], null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
        admit(chain[0], null);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    private void admit(X509Certificate peer, Socket socket) throws CertificateException {
        // Only the nodes of this cluster: the CA also certifies agents, which are no members.
        if (!"node".equals(Subjects.attribute(peer.getSubjectX500Principal(), BCStyle.O))
                || !cluster.equals(Subjects.attribute(peer.getSubjectX500Principal(), BCStyle.DC))) {
            throw new CertificateException(peer.getSubjectX500Principal().getName() + " is no node certificate of cluster " + cluster);
        }
        X509CRL current = crl;
        if (current != null && current.isRevoked(peer)) {
            throw new CertificateException("the certificate of " + peer.getSubjectX500Principal().getName() + " ("
                    + peer.getSerialNumber().toString(16) + ") is revoked");
        }
        String node = Subjects.attribute(peer.getSubjectX500Principal(), BCStyle.OU);
        if (node != null) {
            seen.put(node, peer);
        }
        if (socket != null) {
            peers.keySet().removeIf(Socket::isClosed);
            peers.put(socket, peer);
        }
    }
}
