package io.plinth.impl.management;

import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.plinth.api.pki.ManagementTls;

/**
 * A JCA provider whose {@value #ALGORITHM} key and trust manager factories hand out managers that
 * ask the node's {@link ManagementTls} service at every handshake. Pax Web's Jetty names these
 * algorithms in its TLS settings, so the web server presents the node's current certificate and
 * checks clients against the cluster CA and its CRL: a renewed certificate or a new CRL takes
 * effect on the next handshake, with no keystore file, password or server restart. While no
 * such service is registered, the server has no certificate and every handshake fails.
 * <p>
 * The managers find the service through the provider registered under {@value #NAME} at that
 * moment, not through the one that made them: Jetty keeps its managers until it restarts, so after
 * this bundle is updated, the old revision's managers ask the new revision's tracker.
 */
final class ManagementTlsProvider extends Provider {

    static final String NAME = "PlinthManagement";
    static final String ALGORITHM = "PlinthNode";
    /** The provider property holding a {@code Supplier} of the node's {@link ManagementTls} service (or null). */
    private static final String NODE = "PlinthNode.service";
    private static final long serialVersionUID = 1L;

    ManagementTlsProvider(Supplier<ManagementTls> node) {
        super(NAME, "1.0", "Plinth node identity for management TLS");
        put(NODE, node);
        KeyManager keys = new NodeKeys();
        TrustManager clients = new NodeClients();
        putService(new Service(this, "KeyManagerFactory", ALGORITHM, KeyFactory.class.getName(), null, null) {
            @Override
            public Object newInstance(Object parameter) {
                return new KeyFactory(keys);
            }
        });
        putService(new Service(this, "TrustManagerFactory", ALGORITHM, TrustFactory.class.getName(), null, null) {
            @Override
            public Object newInstance(Object parameter) {
                return new TrustFactory(clients);
            }
        });
    }

    /** Ignores the key store it is given (Jetty insists on one; it is empty): the keys are the node's. */
    private static final class KeyFactory extends KeyManagerFactorySpi {
        private final KeyManager keys;

        KeyFactory(KeyManager keys) {
            this.keys = keys;
        }

        @Override
        protected void engineInit(KeyStore ignored, char[] password) {
        }

        @Override
        protected void engineInit(ManagerFactoryParameters ignored) {
        }

        @Override
        protected KeyManager[] engineGetKeyManagers() {
            return new KeyManager[] {keys};
        }
    }

    private static final class TrustFactory extends TrustManagerFactorySpi {
        private final TrustManager clients;

        TrustFactory(TrustManager clients) {
            this.clients = clients;
        }

        @Override
        protected void engineInit(KeyStore ignored) {
        }

        @Override
        protected void engineInit(ManagerFactoryParameters ignored) {
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            return new TrustManager[] {clients};
        }
    }

    /** The node's service, through the provider registered now. */
    private static ManagementTls node() {
        Provider registered = Security.getProvider(NAME);
        Object node = registered == null ? null : registered.get(NODE);
        return node instanceof Supplier<?> supplier && supplier.get() instanceof ManagementTls tls ? tls : null;
    }

    private static final class NodeKeys extends X509ExtendedKeyManager {

        private X509ExtendedKeyManager current() {
            ManagementTls tls = node();
            return tls == null ? null : tls.keyManager();
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            X509ExtendedKeyManager keys = current();
            return keys == null ? null : keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            X509ExtendedKeyManager keys = current();
            return keys == null ? null : keys.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            X509ExtendedKeyManager keys = current();
            return keys == null ? null : keys.getServerAliases(keyType, issuers);
        }

        /** The management channels are servers: they never authenticate as clients. */
        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            X509ExtendedKeyManager keys = current();
            return keys == null ? null : keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            X509ExtendedKeyManager keys = current();
            return keys == null ? null : keys.getPrivateKey(alias);
        }
    }

    private static final class NodeClients extends X509ExtendedTrustManager {

        private X509ExtendedTrustManager current() throws CertificateException {
            ManagementTls tls = node();
            if (tls == null) {
                throw new CertificateException("this node's management identity is not up yet");
            }
            return tls.trustManager();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            current().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            current().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            current().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            current().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            ManagementTls tls = node();
            return tls == null ? new X509Certificate[0] : tls.trustManager().getAcceptedIssuers();
        }
    }
}
