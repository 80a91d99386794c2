package io.plinth.api.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * An agent's key and certificate chain (its certificate first, the cluster CA's last), made for it
 * in this process when it redeemed its token: the key never left the JVM.
 */
public record AgentIdentity(PrivateKey key, List<X509Certificate> chain) {

    public AgentIdentity {
        chain = List.copyOf(chain);
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    @Override
    public String toString() { // never the key, whatever its class prints
        return "AgentIdentity[" + certificate().getSubjectX500Principal().getName() + ", serial "
                + certificate().getSerialNumber().toString(16) + "]";
    }
}
