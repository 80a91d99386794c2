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
    /** Null when the node is in no cluster (there is no CA to certify anyone). */
    private final String token;
    private AgentIdentity identity;

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

    /** Redeems the token at the first call, renews from half-life on; empty when there was no token. */
    synchronized Optional<AgentIdentity> get() {
        if (token == null) {
            return Optional.empty();
        }
        if (identity == null) {
            identity = certificates().redeem(token);
        } else if (Instant.now().isAfter(halfLife(identity.certificate()))) {
            AgentCertificates certificates = certificates();
            identity = certificates.redeem(certificates.issueToken(request));
        }
        return Optional.of(identity);
    }

    private AgentCertificates certificates() {
        AgentCertificates certificates = manager.get();
        if (certificates == null) {
            throw new PlinthException(Reason.UNAVAILABLE, "the certificate manager is not running");
        }
        return certificates;
    }

    private static Instant halfLife(X509Certificate certificate) {
        Instant from = certificate.getNotBefore().toInstant();
        return from.plus(Duration.between(from, certificate.getNotAfter().toInstant()).dividedBy(2));
    }

    /** This copy ended: its certificate, if it got one, is no key to anything any more. */
    void revoke() {
        AgentIdentity redeemed;
        synchronized (this) {
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
