package io.plinth.impl.hub;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.api.component.Component;
import io.plinth.api.component.ComponentContext;
import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;

/**
 * An instance on another node, as this hub delivers to it: each request travels to its node over
 * the cluster channel, whose hub hands it to the instance and sends the reply back (a cast goes
 * one way).
 */
final class RemoteComponent implements Component {

    private final String node;
    private final String instanceId;
    private final Supplier<ClusterMessaging> messaging;

    RemoteComponent(String node, String instanceId, Supplier<ClusterMessaging> messaging) {
        this.node = node;
        this.instanceId = instanceId;
        this.messaging = messaging;
    }

    @Override
    public void start(ComponentContext context) {
        throw new UnsupportedOperationException("an instance of another node is started there");
    }

    /** A cast: sent one way, nothing comes back. */
    void cast(Request request) {
        ClusterMessaging channel = messaging.get();
        if (channel != null) {
            channel.send(node, ClusterSync.CALL, Wire.call(instanceId, request));
        }
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        ClusterMessaging channel = messaging.get();
        if (channel == null) {
            return CompletableFuture.completedFuture(Reply.error("node " + node + " is out of reach: this node is not connected"));
        }
        long left = request.expiry().toEpochMilli() - System.currentTimeMillis();
        return channel.request(node, ClusterSync.CALL, Wire.call(instanceId, request), Duration.ofMillis(Math.max(1, left)))
                .thenApply(Wire::reply)
                .exceptionally(failure -> Reply.error("node " + node + ": " + (failure.getCause() != null ? failure.getCause() : failure)));
    }
}
