package io.plinth.impl.cluster;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.plinth.api.pki.ManagementTls;

import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * This node's management TLS identity: the key and chain it presents (its node certificate, or a
 * self-signed one while it is in no cluster) and the client certificates it accepts (those of its
 * cluster's CA, valid, not on the CA's latest CRL). Both managers read the current state at each
 * handshake, so {@link #use} and {@link #revocations} take effect without rebuilding any server.
 */
final class NodeTls implements ManagementTls {

    /** What a handshake sees: the key and chain, under an alias of their own so that a swap mid-handshake never mixes two. */
    private record Presented(String alias, NodeFiles.KeyEntry entry) {
    }

    /** The cluster CA's trust: PKIX with the CA as the only anchor, and the cluster's name. */
    private record Trust(X509ExtendedTrustManager pkix, String cluster, X509Certificate ca) {
    }

    private final AtomicLong generations = new AtomicLong();
    private volatile Presented presented;
    /** The previous key and chain, for a handshake that chose it just before a swap. */
    private volatile Presented previous;
    private volatile Trust trust;
    private volatile X509CRL crl;
    private final X509ExtendedKeyManager keyManager = new Keys();
    private final X509ExtendedTrustManager trustManager = new Clients();

    /**
     * Presents {@code entry} from now on; when it is a cluster certificate ({@code clusterCa} not
     * null, the chain's root), accepts that cluster's clients, else none.
     */
    synchronized void use(NodeFiles.KeyEntry entry, X509Certificate clusterCa) {
        previous = presented;
        presented = new Presented("node-" + generations.incrementAndGet(), entry);
        Trust before = trust;
        if (before != null && !before.ca().equals(clusterCa)) {
            crl = null; // another CA's (or none's): its CRL numbers mean nothing now
        }
        trust = clusterCa == null ? null : new Trust(pkix(clusterCa), Subjects.attribute(clusterCa.getSubjectX500Principal(), BCStyle.DC),
                clusterCa);
    }

    /** The cluster CA's latest CRL (already checked to be the CA's); one no newer than the CRL held is ignored (they can arrive out of order). */
    synchronized void revocations(X509CRL latest) {
        X509CRL held = crl;
        if (held == null || RevocationTrust.number(latest).compareTo(RevocationTrust.number(held)) > 0) {
            crl = latest;
        }
    }

    @Override
    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    @Override
    public X509ExtendedTrustManager trustManager() {
        return trustManager;
    }

    @Override
    public String identity(X509Certificate[] chain) throws CertificateException {
        Trust current = trust;
        if (current == null) {
            throw new CertificateException("this node is in no cluster: it accepts no client certificate");
        }
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no client certificate");
        }
        current.pkix().checkClientTrusted(chain, "UNKNOWN");
        X509Certificate client = chain[0];
        if (!current.cluster().equals(Subjects.attribute(client.getSubjectX500Principal(), BCStyle.DC))) {
            throw new CertificateException(client.getSubjectX500Principal().getName() + " is not of cluster " + current.cluster());
        }
        X509CRL revocations = crl;
        if (revocations != null && revocations.isRevoked(client)) {
            throw new CertificateException("the certificate " + client.getSerialNumber().toString(16) + " of "
                    + client.getSubjectX500Principal().getName() + " is revoked");
        }
        String subsystem = Subjects.attribute(client.getSubjectX500Principal(), BCStyle.O);
        String id = Subjects.attribute(client.getSubjectX500Principal(), BCStyle.UID);
        if (subsystem == null || id == null || subsystem.contains(":")) {
            throw new CertificateException(client.getSubjectX500Principal().getName() + " names no sub-system (O, without ':') and agent (UID)");
        }
        return subsystem + "/" + id;
    }

    private static X509ExtendedTrustManager pkix(X509Certificate ca) {
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            anchors.setCertificateEntry("cluster-ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(anchors);
            return (X509ExtendedTrustManager) factory.getTrustManagers()[0];
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot trust the cluster CA", e);
        }
    }

    /** The current key and chain, for any key type the key is of. */
    private final class Keys extends X509ExtendedKeyManager {

        private String choose(String keyType) {
            Presented current = presented;
            if (current == null) {
                return null;
            }
            String algorithm = current.entry().key().getAlgorithm();
            return keyType == null || keyType.equals(algorithm) || keyType.startsWith(algorithm + "_") ? current.alias() : null;
        }

        private NodeFiles.KeyEntry entry(String alias) {
            for (Presented candidate : new Presented[] {presented, previous}) {
                if (candidate != null && candidate.alias().equals(alias)) {
                    return candidate.entry();
                }
            }
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return choose(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return choose(keyType);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            for (String keyType : keyTypes) {
                String alias = choose(keyType);
                if (alias != null) {
                    return alias;
                }
            }
            return null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return chooseClientAlias(keyTypes, issuers, null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String alias = choose(keyType);
            return alias == null ? null : new String[] {alias};
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return getServerAliases(keyType, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            NodeFiles.KeyEntry entry = entry(alias);
            return entry == null ? null : entry.chain().clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            NodeFiles.KeyEntry entry = entry(alias);
            return entry == null ? null : entry.key();
        }
    }

    /** Client checks only: the management channels are servers. */
    private final class Clients extends ChainTrust {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            identity(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the management trust checks clients, not servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            Trust current = trust;
            return current == null ? new X509Certificate[0] : new X509Certificate[] {current.ca()};
        }
    }
}
