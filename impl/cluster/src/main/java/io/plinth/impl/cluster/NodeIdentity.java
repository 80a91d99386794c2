package io.plinth.impl.cluster;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.support.Threads;

import org.bouncycastle.asn1.x509.GeneralName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's own key and certificate: kept ({@code node.p12}), presented on every channel
 * ({@link NodeTls}; a self-signed certificate while the node is in no cluster), and renewed at
 * half-life on a thread of its own — at the CA's node over its join service, or with the CA key
 * on the CA's node ({@link NodeRenewal}). Joins, renewals and leaves may race: each change of
 * identity and what is presented happens under the files' lock, the latest winning.
 */
final class NodeIdentity implements AutoCloseable {

    /** What renewal needs of the CA, on the CA's node (else null, and no node is a member). */
    interface Ca {
        /** The CA's key and certificate. */
        Authority authority();

        /** The CA at work: what it issued and revoked. */
        CertificateManager ledger();

        /** Whether a node name belongs to a member (admitted, not destroyed). */
        boolean isMember(String node);
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeIdentity.class);
    static final String NODE_KEYS = "node";
    /** The key and self-signed certificate a node in no cluster presents on its management channels. */
    private static final String SELF_SIGNED_KEYS = "self-signed";
    private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);
    private static final long RENEWAL_RETRY_SECONDS = 10;
    private static final long REFUSED_RETRY_SECONDS = 300;

    private final NodeFiles files;
    private final NodeTls tls;
    private final String nodeName;
    private final String advertisedHost;
    private final Ca ca;
    private final Duration validity;
    private final String keyAlgorithm;
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(Threads.named("plinth-cluster-renewal"));
    private final Object renewalLock = new Object();
    private ScheduledFuture<?> nextRenewal;
    private volatile NodeFiles.KeyEntry current;

    NodeIdentity(NodeFiles files, NodeTls tls, String nodeName, String advertisedHost, Ca ca, Duration validity, String keyAlgorithm) {
        this.keyAlgorithm = keyAlgorithm;
        this.files = files;
        this.tls = tls;
        this.nodeName = nodeName;
        this.advertisedHost = advertisedHost;
        this.ca = ca;
        this.validity = validity;
        this.current = files.keyEntry(NODE_KEYS).orElse(null);
    }

    /** Presents the identity and schedules its renewal; once the CA, on the CA's node, is at work. */
    void start() {
        present();
        scheduleRenewal();
    }

    /** This node's key and certificate chain (its certificate first, the CA's last); null while it is in no cluster. */
    NodeFiles.KeyEntry current() {
        return current;
    }

    /** Takes the key and certificate of a join or a cluster's creation (the membership is saved by the caller). */
    void become(NodeFiles.KeyEntry keys) {
        synchronized (files) {
            files.saveKeyEntry(NODE_KEYS, keys);
            current = keys;
        }
        present();
        scheduleRenewal();
    }

    /** Leaves the cluster: membership and keys forgotten in one step, so a renewal in flight keeps nothing. */
    void forget() {
        synchronized (files) {
            files.forgetMembership(NODE_KEYS);
            current = null;
        }
        present();
    }

    @Override
    public void close() throws InterruptedException {
        renewals.shutdownNow();
        renewals.awaitTermination(30, TimeUnit.SECONDS); // a renewal in flight writes nothing after this
    }

    /**
     * Presents this node's certificate, or a self-signed one while it is in no cluster, and
     * writes what a client should trust (the cluster CA, or that self-signed certificate) to
     * {@code management-ca.pem} for admins to pin. Never fails: a node must keep its channels.
     */
    private void present() {
        synchronized (files) {
            NodeFiles.KeyEntry keys = current;
            X509Certificate clusterCa = keys == null ? null : keys.chain()[keys.chain().length - 1];
            try {
                NodeFiles.KeyEntry presented = keys != null ? keys : selfSigned();
                tls.use(presented, clusterCa);
                files.saveTrustAnchor(Pem.of(presented.chain()[presented.chain().length - 1]));
            } catch (RuntimeException e) {
                LOG.error("Cannot present {} on the management channels: {}", keys != null ? "this node's certificate" : "a self-signed certificate",
                        e.toString());
            }
        }
    }

    /** The self-signed key and certificate, made on first use and again when less than a month of it is left. */
    private NodeFiles.KeyEntry selfSigned() {
        Optional<NodeFiles.KeyEntry> kept = files.keyEntry(SELF_SIGNED_KEYS)
                .filter(entry -> entry.certificate().getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30))));
        if (kept.isPresent()) {
            return kept.get();
        }
        KeyPair pair = Authority.newKeyPair();
        List<GeneralName> names = new ArrayList<>();
        for (String name : new LinkedHashSet<>(List.of("localhost", "127.0.0.1", advertisedHost, nodeName))) {
            try {
                names.add(Authority.alternativeName(name));
            } catch (IllegalArgumentException notAName) {
                // a node name that is no DNS name is not named in the certificate
            }
        }
        NodeFiles.KeyEntry made = new NodeFiles.KeyEntry(pair.getPrivate(), new X509Certificate[] {
                Authority.selfSigned(pair, nodeName, names, SELF_SIGNED_VALIDITY)});
        files.saveKeyEntry(SELF_SIGNED_KEYS, made);
        return made;
    }

    /** Renews this node's certificate when it is due ({@link NodeRenewal#due}), at once if it lapsed. */
    private void scheduleRenewal() {
        NodeFiles.KeyEntry keys = current;
        if (keys != null) {
            Instant due = NodeRenewal.due(keys.certificate(), ThreadLocalRandom.current().nextDouble(-1, 1));
            renewIn(Math.max(0, Duration.between(Instant.now(), due).toMillis()));
        }
    }

    private void renewIn(long millis) {
        synchronized (renewalLock) {
            if (nextRenewal != null) {
                nextRenewal.cancel(false);
            }
            nextRenewal = renewals.isShutdown() ? null : renewals.schedule(this::renew, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A fresh key and a certificate for it, presented at the next handshake of every channel; the
     * old key is forgotten. Tried again shortly when the CA cannot be reached, never when it refuses.
     */
    private void renew() {
        NodeFiles.KeyEntry keys = current;
        Optional<NodeFiles.Membership> membership = files.membership();
        Authority authority = ca.authority();
        if (keys == null || membership.isEmpty()) {
            return;
        }
        if (authority == null && membership.get().authority() == null) {
            LOG.warn("This node's membership names no CA node to renew its certificate at (valid until {}); join again with a token",
                    keys.certificate().getNotAfter().toInstant());
            return;
        }
        try {
            KeyPair next = Authority.newKeyPair(keyAlgorithm);
            Predicate<String> isMember = ca::isMember;
            JoinProtocol.Certified answer = authority != null
                    ? NodeRenewal.renewOwn(authority, ca.ledger(), keys.certificate(), next.getPublic(), validity, isMember)
                    : JoinClient.post(membership.get().authority(), membership.get().caFingerprint(), JoinProtocol.RENEW_PATH,
                    NodeProof.sign(new JoinProtocol.Renewal(Pem.of(Authority.request(next, nodeName)), null), keys),
                    JoinProtocol.Certified.class);
            NodeFiles.KeyEntry renewed = NodeRenewal.accept(answer, membership.get().caFingerprint(), keys, next);
            synchronized (files) {
                if (current != keys || files.membership().isEmpty() || renewals.isShutdown()) {
                    return; // the node left, joined again or stops meanwhile
                }
                files.saveKeyEntry(NODE_KEYS, renewed);
                current = renewed;
            }
            if (authority != null) {
                ca.ledger().protect(renewed.certificate());
            }
            present();
            LOG.info("Renewed this node's certificate: serial {}, valid until {}", renewed.certificate().getSerialNumber().toString(16),
                    renewed.certificate().getNotAfter().toInstant());
            scheduleRenewal();
        } catch (PlinthException e) {
            // A refusal (revoked, decommissioned, the clocks apart) seldom changes soon: asked again, but rarely.
            renewLater(keys, e, e.reason() == Reason.DENIED ? REFUSED_RETRY_SECONDS : RENEWAL_RETRY_SECONDS);
        } catch (RuntimeException e) {
            renewLater(keys, e, RENEWAL_RETRY_SECONDS);
        }
    }

    private void renewLater(NodeFiles.KeyEntry keys, RuntimeException failure, long seconds) {
        LOG.warn("Cannot renew this node's certificate (valid until {}): {}; trying again in {} s",
                keys.certificate().getNotAfter().toInstant(), failure.getMessage(), seconds);
        renewIn(TimeUnit.SECONDS.toMillis(seconds));
    }
}
