package io.plinth.impl.management.delegates;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import io.plinth.api.pki.ManagementTls;

/** The key manager Jetty keeps: presents the node's current certificate (see {@link NodeLookup}). */
public final class NodeKeys extends X509ExtendedKeyManager {

    private X509ExtendedKeyManager current() {
        ManagementTls tls = NodeLookup.node();
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
