package io.plinth.api.cluster;

import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the platform messages of one topic (whiteboard): register an OSGi service of this type
 * with the property {@value #TOPIC}. Called on the cluster's threads: it must not block; answer
 * through the returned stage.
 */
@ConsumerType
public interface ClusterMessageHandler {

    /** Service property: the topic this handler receives. */
    String TOPIC = "plinth.cluster.topic";

    /** A message from {@code fromNode}; the answer goes back to a request (and is dropped for a broadcast). */
    CompletionStage<byte[]> message(String fromNode, byte[] payload);

    /** The view changed: these are the other nodes now. */
    default void nodesChanged(Set<String> otherNodes) {
    }
}
