package io.plinth.impl.harness;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.pki.AgentCertificates;
import io.plinth.api.pki.AgentIdentity;
import io.plinth.api.pki.AgentRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An instance's certificate (seed §4.9.6, subsequent handoff): the harness, which spawns the
 * instance, gets a one-time token for it from the node's certificate manager before it starts; the
 * token goes to the instance only through its context, in memory; the instance's first call for
 * its identity redeems it. From half its certificate's life on, the next call gets a new one the
 * same way (the harness asks for a new token, as the instance's spawner). When this copy of the
 * instance ends, its certificate is revoked.
 */
final class InstanceIdentity {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceIdentity.class);
    /** What the certificate says the agent is: O=component. */
    static final String SUBSYSTEM = "component";

    private final Supplier<AgentCertificates> manager;
    private final String instanceId;
    private final AgentRequest request;
    /** The token not redeemed yet; null when none could be had (the node in no cluster) or it was spent. */
    private String token;
    private AgentIdentity identity;
    /** This copy of the instance ended: no certificate for it any more. */
    private boolean ended;

    private InstanceIdentity(Supplier<AgentCertificates> manager, String instanceId, AgentRequest request, String token) {
        this.manager = manager;
        this.instanceId = instanceId;
        this.request = request;
        this.token = token;
    }

    /** Gets a token for an instance about to start, if the node can certify it. */
    static InstanceIdentity forInstance(Supplier<AgentCertificates> manager, String instanceId, String type, String version) {
        AgentRequest request = new AgentRequest(SUBSYSTEM, instanceId, null,
                java.util.List.of("urn:plinth:instance:" + type + ":" + version + ":" + instanceId), null, null);
        AgentCertificates certificates = manager.get();
        String token = null;
        if (certificates != null) {
            try {
                token = certificates.issueToken(request);
            } catch (RuntimeException e) {
                LOG.debug("Instance {} starts without a certificate: {}", instanceId, e.getMessage());
            }
        }
        return new InstanceIdentity(manager, instanceId, request, token);
    }

    /**
     * Redeems the token at the first call, renews from half-life on. Empty while the node can
     * certify nobody (in no cluster); a token that could not be had or redeemed (the CA out of
     * reach, the token expired) is asked for again at the next call, as the instance's spawner may.
     */
    synchronized Optional<AgentIdentity> get() {
        if (ended) {
            throw new PlinthException(Reason.CONFLICT, "instance " + instanceId + " has ended: it has no certificate any more");
        }
        if (identity != null && Instant.now().isBefore(halfLife(identity.certificate()))) {
            return Optional.of(identity);
        }
        try {
            AgentCertificates certificates = manager.get();
            if (certificates == null) {
                if (identity == null) {
                    return Optional.empty(); // no certificate manager on this node: nobody to certify it
                }
                throw new PlinthException(Reason.UNAVAILABLE, "the certificate manager is not running");
            }
            String spending = token;
            if (spending == null) {
                try {
                    spending = certificates.issueToken(request);
                } catch (PlinthException notMember) {
                    if (identity == null && notMember.reason() == Reason.UNAVAILABLE) {
                        return Optional.empty(); // in no cluster: nobody to certify it
                    }
                    throw notMember;
                }
            }
            token = null; // spent by the attempt, whatever its outcome
            identity = certificates.redeem(spending);
            return Optional.of(identity);
        } catch (PlinthException e) {
            if (identity != null && Instant.now().isBefore(identity.certificate().getNotAfter().toInstant())) {
                LOG.warn("Instance {} keeps its certificate until {}: a new one could not be had: {}", instanceId,
                        identity.certificate().getNotAfter().toInstant(), e.getMessage());
                return Optional.of(identity);
            }
            throw e;
        }
    }

    private static Instant halfLife(X509Certificate certificate) {
        Instant from = certificate.getNotBefore().toInstant();
        return from.plus(Duration.between(from, certificate.getNotAfter().toInstant()).dividedBy(2));
    }

    /** This copy ended: its certificate, if it got one, is no key to anything any more, and it gets no other. */
    void revoke() {
        AgentIdentity redeemed;
        synchronized (this) {
            ended = true;
            token = null;
            redeemed = identity;
        }
        AgentCertificates certificates = manager.get();
        if (redeemed == null || certificates == null) {
            return;
        }
        String serial = redeemed.certificate().getSerialNumber().toString(16);
        try {
            certificates.revoke(serial, "cessationOfOperation");
            LOG.info("Revoked certificate {} of instance {}, which ended", serial, instanceId);
        } catch (RuntimeException e) {
            LOG.warn("Cannot revoke certificate {} of instance {}, which ended (it expires {}): {}", serial, instanceId,
                    redeemed.certificate().getNotAfter().toInstant(), e.getMessage());
        }
    }
}
