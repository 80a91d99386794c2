package io.plinth.impl.management;

import java.security.KeyStore;
import java.security.Provider;
import java.util.function.Supplier;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactorySpi;

import io.plinth.api.pki.ManagementTls;
import io.plinth.impl.management.delegates.NodeLookup;
import io.plinth.support.LoadedApart;

/**
 * A JCA provider whose {@value #ALGORITHM} key and trust manager factories hand out managers that
 * ask the node's {@link ManagementTls} service at every handshake. Pax Web's Jetty names these
 * algorithms in its TLS settings, so the web server presents the node's current certificate and
 * checks clients against the cluster CA and its CRL: a renewed certificate or a new CRL takes
 * effect on the next handshake, with no keystore file, password or server restart. While no
 * such service is registered, handshakes wait for it a few seconds, then fail.
 * <p>
 * The managers find the service through the provider registered under {@value NodeLookup#PROVIDER}
 * at that moment, not through the one that made them: Jetty keeps its managers until it restarts,
 * so after this bundle is updated, the old revision's managers ask the new revision's tracker.
 */
final class ManagementTlsProvider extends Provider {

    static final String ALGORITHM = "PlinthNode";
    private static final long serialVersionUID = 1L;

    /**
     * @param node    the node's service, or null while there is none
     * @param keys    the key manager to hand out (made apart from this bundle: see {@link LoadedApart})
     * @param clients the trust manager to hand out (likewise)
     */
    ManagementTlsProvider(Supplier<ManagementTls> node, KeyManager keys, TrustManager clients) {
        super(NodeLookup.PROVIDER, "1.0", "Plinth node identity for management TLS");
        put(NodeLookup.SERVICE, node);
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
}
