package io.plinth.api.cluster;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Platform messages between the nodes of a cluster, over the cluster channel (mutual TLS). A
 * message goes to the {@link ClusterMessageHandler} registered for its topic on the receiving
 * node. Payloads are bytes in the sender's own encoding: nothing on the wire is ever
 * deserialized as Java objects. Registered as a service only while this node is connected to
 * its cluster.
 */
@ProviderType
public interface ClusterMessaging {

    /**
     * Service property: the nodes of the view marked unavailable (String[]), updated as marks
     * change, so that selectors can skip their instances without asking.
     */
    String UNAVAILABLE_NODES = "plinth.cluster.unavailable";

    /**
     * Service property: the nodes of the view being decommissioned (String[]): their instances
     * still serve, but no new one goes there, and each node drains its own.
     */
    String DRAINING_NODES = "plinth.cluster.draining";

    /** This node's name in the cluster. */
    String localNode();

    /** The other nodes in the current view. */
    Set<String> otherNodes();

    /**
     * The nodes that left the view without saying goodbye (failed, seed §4.5.2) and are not back;
     * known by the time handlers hear of the view that lost them.
     */
    Set<String> failedNodes();

    /**
     * The nodes decommissioned since this node started: drained and gone for good (seed §4.5.2
     * destroyed); known by the time handlers hear of the view that lost them.
     */
    Set<String> destroyedNodes();

    /**
     * Sends {@code payload} to {@code topic} on {@code node}; completes with the handler's answer,
     * or exceptionally when the node is not in the view, has no handler for the topic, failed, or
     * did not answer within {@code timeout}.
     */
    CompletionStage<byte[]> request(String node, String topic, byte[] payload, Duration timeout);

    /**
     * Sends {@code payload} to {@code topic} on {@code node} without asking for an answer (a cast):
     * nothing comes back, not even a failure. Quietly dropped when the node is not in the view.
     */
    void send(String node, String topic, byte[] payload);

    /** Sends {@code payload} to {@code topic} on every other node, without waiting for anything. */
    void broadcast(String topic, byte[] payload);
}
