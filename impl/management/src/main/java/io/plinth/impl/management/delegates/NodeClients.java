package io.plinth.impl.management.delegates;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import io.plinth.api.pki.ManagementTls;

/** The trust manager Jetty keeps: checks clients against the node's cluster CA (see {@link NodeLookup}). */
public final class NodeClients extends X509ExtendedTrustManager {

    private X509ExtendedTrustManager current() throws CertificateException {
        ManagementTls tls = NodeLookup.node();
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
        ManagementTls tls = NodeLookup.node();
        return tls == null ? new X509Certificate[0] : tls.trustManager().getAcceptedIssuers();
    }
}
