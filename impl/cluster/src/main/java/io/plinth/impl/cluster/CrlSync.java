package io.plinth.impl.cluster;

import java.security.cert.X509CRL;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.plinth.api.cluster.ClusterMessageHandler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster CA's CRL as it travels over the channel (topic {@value #TOPIC}): the CA's node
 * publishes a fresh one after each revocation and to every newcomer, one at a time; every node
 * takes what arrives (the CA's signature is what counts, not who sent it), has its channel apply it,
 * and keeps it for its next start. One that arrives while the channel is still connecting is taken
 * once it is.
 */
final class CrlSync implements ClusterMessageHandler {

    static final String TOPIC = "plinth.cluster.crl";
    private static final Logger LOG = LoggerFactory.getLogger(CrlSync.class);

    private final Supplier<ClusterChannel> channel;
    /** The CA at work, on the CA's node only. */
    private final Supplier<CertificateManager> authority;
    private final NodeFiles files;
    private final Consumer<Runnable> inBackground;
    private final Object publication = new Object();
    private volatile byte[] pending;
    /** Who else hears of each CRL taken. */
    private final Consumer<X509CRL> taken;

    CrlSync(Supplier<ClusterChannel> channel, Supplier<CertificateManager> authority, NodeFiles files, Consumer<Runnable> inBackground,
            Consumer<X509CRL> taken) {
        this.taken = taken;
        this.channel = channel;
        this.authority = authority;
        this.files = files;
        this.inBackground = inBackground;
    }

    /** The CRL a channel starts with: a fresh one on the CA's node, else the last one taken. */
    X509CRL current() {
        CertificateManager manager = authority.get();
        return manager != null ? Pem.crl(manager.crl()) : files.crl().map(Pem::crl).orElse(null);
    }

    /** On the CA's node: a fresh CRL for this node's channel and every other node. */
    void publish() {
        CertificateManager manager = authority.get();
        if (manager == null) {
            return;
        }
        synchronized (publication) { // one at a time: a CRL made before a revocation never goes out after it
            byte[] crl = manager.crl();
            taken.accept(Pem.crl(crl)); // the CA's own: in force here at once, even while the channel still connects
            take(crl);
            ClusterChannel current = channel.get();
            if (current != null) {
                current.messaging().broadcast(TOPIC, crl);
            }
        }
    }

    /** The channel is connected: a CRL that arrived meanwhile is taken now. */
    void connected() {
        byte[] waiting = pending;
        if (waiting != null) {
            pending = null;
            take(waiting);
        }
    }

    @Override
    public CompletionStage<byte[]> message(String fromNode, byte[] payload) {
        take(payload);
        return CompletableFuture.completedFuture(new byte[0]);
    }

    @Override
    public void nodesChanged(Set<String> otherNodes) {
        if (authority.get() != null) {
            inBackground.accept(this::publish); // off the view thread: signing takes a moment
        }
    }

    private void take(byte[] der) {
        X509CRL crl = Pem.crl(der);
        if (crl == null) {
            LOG.warn("Dropped a CRL that does not parse");
            return;
        }
        ClusterChannel current = channel.get();
        if (current == null) {
            pending = der;
            return;
        }
        if (current.revocations(crl)) {
            synchronized (files) {
                files.saveCrl(der);
            }
            taken.accept(crl);
        }
    }
}
