package io.plinth.impl.hub;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Target;
import io.plinth.support.MessagingTracker;
import io.plinth.support.Threads;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub across the cluster. Each node owns the soft state of its own instances (groups,
 * attributes) and publishes all of it to the other nodes whenever it changes, when the view
 * changes, and when asked; the others mirror it into their registries, where remote instances
 * are members like local ones (and hub events fire for them alike), with an {@link Endpoint} whose
 * {@link RemoteComponent} forwards requests to the owning node. The state of a node that leaves
 * the view is dropped at once, so its instances vanish from every group. Unique names and group
 * attributes stay with the node where they were set.
 */
final class ClusterSync implements ClusterMessageHandler, AutoCloseable {

    static final String STATE = "plinth.hub.state";
    static final String CALL = "plinth.hub.call";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSync.class);
    /** Changes that come together (an instance joining three groups) are published together. */
    private static final long COALESCE_MILLIS = 10;

    private final Registry registry;
    private final Map<String, Endpoint> endpoints;
    private final Executor deliveries;
    private final BiFunction<Endpoint, Request, CompletableFuture<Reply>> deliver;
    /** The cluster's messaging while this node is connected (set before anything is published through it), and the nodes marked unavailable. */
    private final MessagingTracker link;
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(Threads.named("plinth-hub-cluster"));
    private final AtomicBoolean publicationDue = new AtomicBoolean();
    private final long incarnation = ThreadLocalRandom.current().nextLong();
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Wire.NodeState> remote = new ConcurrentHashMap<>();
    private final List<ServiceRegistration<ClusterMessageHandler>> handlers = new ArrayList<>();
    /** Set while another node's state is being mirrored (under the registry's lock): those changes are not this node's. */
    private boolean mirroring;

    ClusterSync(BundleContext context, Registry registry, Map<String, Endpoint> endpoints, Executor deliveries,
                BiFunction<Endpoint, Request, CompletableFuture<Reply>> deliver) {
        this.registry = registry;
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.deliver = deliver;
        this.link = new MessagingTracker(context, new MessagingTracker.Listener() {
            @Override
            public void connected(ClusterMessaging messaging) {
                publisher.execute(() -> publish(true)); // and ask the others for theirs
            }

            @Override
            public void disconnected() {
                try {
                    publisher.execute(() -> Set.copyOf(remote.keySet()).forEach(ClusterSync.this::forgetNode)); // nobody is left
                } catch (RejectedExecutionException closing) {
                    // the hub is stopping: its registry goes with it
                }
            }
        });
        // Handlers before the link opens: the answers to the first publication must find them.
        handlers.add(context.registerService(ClusterMessageHandler.class, this, topic(STATE)));
        handlers.add(context.registerService(ClusterMessageHandler.class, this::call, topic(CALL)));
        link.open();
    }

    /** Whether the node an endpoint lives on is marked unavailable. */
    boolean onUnavailableNode(Endpoint endpoint) {
        Set<String> unavailable = link.unavailable();
        if (unavailable.isEmpty()) {
            return false;
        }
        ClusterMessaging channel = link.messaging();
        return unavailable.contains(endpoint.remote() || channel == null ? endpoint.node() : channel.localNode());
    }

    /** Whether an endpoint of another node is on one being decommissioned. */
    boolean onDrainingNode(Endpoint endpoint) {
        return link.draining().contains(endpoint.node());
    }

    /** An endpoint for an instance of another node. */
    Endpoint remoteEndpoint(String node, Wire.RemoteInstance instance) {
        return new Endpoint(instance.instanceId(), instance.type(), instance.version(), node,
                new RemoteComponent(node, instance.instanceId(), link::messaging));
    }

    /** The registry changed (called under its lock): unless it mirrors another node, the others hear of it shortly. */
    void registryChanged() {
        if (!mirroring && link.messaging() != null && publicationDue.compareAndSet(false, true)) {
            try {
                publisher.schedule(() -> publish(false), COALESCE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                publicationDue.set(false);
            }
        }
    }

    @Override
    public CompletionStage<byte[]> message(String fromNode, byte[] payload) {
        try {
            Wire.NodeState state = Wire.state(payload);
            if (!state.node().equals(fromNode)) {
                throw new IOException("node " + fromNode + " sent a state in the name of " + state.node());
            }
            publisher.execute(() -> apply(state));
        } catch (IOException | RejectedExecutionException e) {
            LOG.warn("Dropped the hub state of node {}: {}", fromNode, e.toString());
        }
        return CompletableFuture.completedFuture(new byte[0]);
    }

    @Override
    public void nodesChanged(Set<String> otherNodes) {
        try {
            publisher.execute(() -> {
                for (String gone : Set.copyOf(remote.keySet())) {
                    if (!otherNodes.contains(gone)) {
                        forgetNode(gone);
                    }
                }
                // Newcomers learn this node's state, and are asked for theirs: one they sent before
                // this node saw them in the view was not taken.
                publish(otherNodes.stream().anyMatch(node -> !remote.containsKey(node)));
            });
        } catch (RejectedExecutionException closing) {
            // the hub is stopping
        }
    }

    /** A request from another node for one of this node's instances. */
    private CompletionStage<byte[]> call(String fromNode, byte[] payload) {
        Wire.Call call;
        try {
            call = Wire.call(payload);
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.completedFuture(Wire.reply(Reply.error("a damaged request: " + e.getMessage())));
        }
        Endpoint endpoint = endpoints.get(call.instanceId());
        if (endpoint == null || endpoint.remote()) {
            return CompletableFuture.completedFuture(Wire.reply(Reply.error("no instance " + call.instanceId() + " on this node")));
        }
        // Off the cluster's threads, and off the pool local casts use: a component may take its time
        // to hand back a future, and may itself call another node meanwhile.
        return CompletableFuture.supplyAsync(() -> deliver.apply(endpoint, call.request()), deliveries)
                .thenCompose(answer -> answer)
                .thenApply(reply -> {
                    if (reply.failed()) {
                        LOG.info("Request {} from node {} to {} failed: {}", call.request().operation(), fromNode, call.instanceId(), reply.error());
                    }
                    return Wire.reply(reply.from(call.instanceId(), call.request().correlation()));
                });
    }

    private void publish(boolean wantsReplies) {
        publicationDue.set(false);
        ClusterMessaging channel = link.messaging();
        if (channel == null) {
            return;
        }
        List<Wire.RemoteInstance> instances = new ArrayList<>();
        synchronized (registry) {
            for (Endpoint endpoint : endpoints.values()) {
                if (!endpoint.remote()) {
                    String id = endpoint.instanceId();
                    instances.add(new Wire.RemoteInstance(id, endpoint.type(), endpoint.version(), registry.groupsOf(id),
                            registry.attributes(Target.instance(id))));
                }
            }
        }
        channel.broadcast(STATE, Wire.state(new Wire.NodeState(channel.localNode(), incarnation, sequence.incrementAndGet(),
                wantsReplies, instances)));
    }

    /** Mirrors another node's state: its instances, their groups and attributes, as they are now. */
    private void apply(Wire.NodeState state) {
        ClusterMessaging channel = link.messaging();
        if (channel == null || !channel.otherNodes().contains(state.node()) || !state.newerThan(remote.get(state.node()))) {
            return; // from a node that has left the view since (or a state seen already)
        }
        Map<String, Wire.RemoteInstance> now = new HashMap<>();
        state.instances().forEach(instance -> now.put(instance.instanceId(), instance));
        synchronized (registry) {
            mirroring = true;
            try {
                Wire.NodeState before = remote.put(state.node(), state);
                if (before != null) {
                    for (Wire.RemoteInstance old : before.instances()) {
                        if (!now.containsKey(old.instanceId())) {
                            forgetInstance(state.node(), old.instanceId());
                        }
                    }
                }
                now.values().forEach(instance -> mirror(state.node(), instance));
            } finally {
                mirroring = false;
            }
        }
        if (state.wantsReplies()) {
            publish(false);
        }
    }

    private void mirror(String node, Wire.RemoteInstance instance) {
        String id = instance.instanceId();
        Endpoint existing = endpoints.get(id);
        if (existing != null && !existing.remote()) {
            return; // it lives here: this node's own view of it wins
        }
        Set<String> draining = link.draining();
        if (existing == null || draining.contains(existing.node()) && !draining.contains(node)) {
            // Moving away from a node being decommissioned: the new copy takes the calls before the old one stops.
            endpoints.put(id, remoteEndpoint(node, instance));
        } else if (!existing.node().equals(node)) {
            return; // the copy not chosen: its groups and attributes are not the instance's
        }
        Set<String> groups = registry.groupsOf(id);
        instance.groups().stream().filter(g -> !groups.contains(g)).forEach(g -> registry.join(id, g));
        groups.stream().filter(g -> !instance.groups().contains(g)).forEach(g -> registry.leave(id, g));
        Target target = Target.instance(id);
        Map<String, String> attributes = registry.attributes(target);
        instance.attributes().forEach((name, value) -> registry.putAttribute(target, name, value));
        attributes.keySet().stream().filter(name -> !instance.attributes().containsKey(name))
                .forEach(name -> registry.putAttribute(target, name, null));
    }

    private void forgetNode(String node) {
        synchronized (registry) {
            mirroring = true;
            try {
                Wire.NodeState gone = remote.remove(node);
                if (gone != null) {
                    gone.instances().forEach(instance -> forgetInstance(node, instance.instanceId()));
                    LOG.info("Node {} left the cluster: its {} instances left their groups", node, gone.instances().size());
                }
            } finally {
                mirroring = false;
            }
        }
    }

    /**
     * Forgets an instance {@code node} no longer has. Another node may have it too (it was moved
     * there, or re-created while {@code node} was away): then that node's copy takes its place in
     * one step, so a request never finds the instance missing meanwhile.
     */
    private void forgetInstance(String node, String instanceId) {
        Endpoint endpoint = endpoints.get(instanceId);
        if (endpoint != null && endpoint.remote() && endpoint.node().equals(node)) {
            Copy other = copyElsewhere(instanceId);
            if (other == null) {
                endpoints.remove(instanceId, endpoint);
                registry.forget(instanceId);
            } else {
                endpoints.put(instanceId, remoteEndpoint(other.node(), other.instance()));
                mirror(other.node(), other.instance());
            }
        }
    }

    /** A local instance is gone (called under the registry's lock): a copy another node has takes its place. */
    void localInstanceGone(String instanceId) {
        mirroring = true;
        try {
            Copy other = copyElsewhere(instanceId);
            if (other != null) {
                mirror(other.node(), other.instance());
            }
        } finally {
            mirroring = false;
        }
    }

    /** An instance as another node publishes it. */
    private record Copy(String node, Wire.RemoteInstance instance) {
    }

    /** A copy of an instance in the states other nodes published, or null. */
    private Copy copyElsewhere(String instanceId) {
        for (Wire.NodeState other : remote.values()) {
            for (Wire.RemoteInstance instance : other.instances()) {
                if (instance.instanceId().equals(instanceId)) {
                    return new Copy(other.node(), instance);
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        handlers.forEach(ServiceRegistration::unregister);
        publisher.shutdownNow();
        try {
            // A publication under way finishes before the successor's first: no stale state after it.
            publisher.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.close();
    }

    private static Dictionary<String, Object> topic(String name) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ClusterMessageHandler.TOPIC, name);
        return properties;
    }
}
