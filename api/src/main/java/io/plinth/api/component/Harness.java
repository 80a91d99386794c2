package io.plinth.api.component;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Platform SPI between the controller and the component harness of a node: the harness starts
 * the components it finds and knows how each is doing. Components never use this.
 */
@ProviderType
public interface Harness {

    /** The state of an instance's code on this node: NONE if the harness has not seen it. */
    InstanceState state(String instanceId);

    /**
     * Asks an instance to stop and answers what it said: false means it refused (or did not
     * answer within {@code timeout}). The reason is what its end is reported with, if it agreed.
     */
    boolean stop(String instanceId, String reason, Duration timeout);

    /**
     * Asks an instance to stop, waits at most {@code grace} for it, and ignores the answer: its
     * end is reported with {@code reason} whatever it said.
     */
    void destroy(String instanceId, String reason, Duration grace);
}
