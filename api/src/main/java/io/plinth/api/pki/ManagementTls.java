package io.plinth.api.pki;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's identity on its management channels (the REST API, with the DNS update API, and the
 * web console) and the clients those channels accept. Registered on every node: a node of a cluster
 * presents its node certificate, a node in no cluster a self-signed one. Both managers follow the
 * node's certificate renewals and the cluster CA's CRL without being asked again, so a TLS
 * server built on them never restarts to take a new certificate.
 */
@ProviderType
public interface ManagementTls {

    /** Chooses this node's current key and certificate chain for a TLS server. */
    X509ExtendedKeyManager keyManager();

    /**
     * Accepts client certificates that chain to this cluster's CA, are valid now and are not
     * revoked; a node in no cluster accepts none.
     */
    X509ExtendedTrustManager trustManager();

    /**
     * Checks a client's chain as {@link #trustManager()} does, now (a connection can outlive its
     * certificate or see it revoked), and answers the identity it proves: {@code O/UID} of its
     * subject, e.g. {@code billing/7f3a...}.
     */
    String identity(X509Certificate[] chain) throws CertificateException;
}
