package io.plinth.api.component;

import java.util.Map;
import java.util.Optional;

import io.plinth.api.hub.Hub;
import io.plinth.api.pki.AgentIdentity;

import org.osgi.annotation.versioning.ProviderType;
import org.slf4j.Logger;

/** What the harness gives a running instance (seed §4.6.2 "component harness"). */
@ProviderType
public interface ComponentContext {

    String instanceId();

    /** The component type's name. */
    String type();

    /** The component type's exact version. */
    String version();

    /** The type's defaults overlaid with this instance's configuration. */
    Map<String, String> configuration();

    /** The hub, waiting across platform updates instead of failing. */
    Hub hub();

    /** Publishes (or with null, removes) an attribute of this instance. */
    void setAttribute(String name, String value);

    /** Marks the instance available or unavailable (alive, but not to be used for now). */
    void setAvailable(boolean available);

    /** A logger whose lines carry this instance's id in the MDC key {@code plinth.instance}. */
    Logger logger();

    /**
     * This instance's own certificate and key ({@code DC=<cluster>, O=component, OU=<node>,
     * UID=<instance id>}, for TLS with other agents): the first call redeems the one-time token
     * the harness got for it, later calls answer the same; empty when the node is in no cluster.
     * The certificate is revoked when this copy of the instance ends. Fails with UNAVAILABLE
     * while the CA cannot be reached.
     */
    Optional<AgentIdentity> identity();
}
