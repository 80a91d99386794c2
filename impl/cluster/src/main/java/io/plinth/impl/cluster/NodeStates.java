package io.plinth.impl.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.NodeState;
import io.plinth.api.error.PlinthException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes' life-cycle states (seed 000 §4.5.2) as this node knows them. Each node tells the
 * others its own state — available or unavailable (an admin's mark, kept across restarts) — on
 * every change and every view change, and that it is leaving when it stops. A node that leaves
 * the view is then offline if it said so, failed if not. Marks for another node travel to it as a
 * request. One byte per message.
 */
final class NodeStates implements ClusterMessageHandler {

    static final String TOPIC = "plinth.cluster.node";
    private static final Logger LOG = LoggerFactory.getLogger(NodeStates.class);
    private static final byte AVAILABLE = 0;
    private static final byte UNAVAILABLE = 1;
    private static final byte LEAVING = 2;
    private static final byte MARK_AVAILABLE = 3;
    private static final byte MARK_UNAVAILABLE = 4;
    private static final Duration FAREWELL_PATIENCE = Duration.ofSeconds(1);

    private final Supplier<Messaging> messaging;
    private final Consumer<Boolean> keepOwnMark;
    private final Consumer<Set<String>> unavailableChanged;
    private volatile boolean ownAvailable;
    /** The other nodes in the view, with the state they told. */
    private final Map<String, NodeState> others = new ConcurrentHashMap<>();
    /** Nodes that left the view, with how, and where they were. */
    private final Map<String, ClusterMember> departed = new ConcurrentHashMap<>();
    private final Set<String> saidLeaving = ConcurrentHashMap.newKeySet();
    /** The set of unavailable nodes last published. */
    private Set<String> published = Set.of();

    NodeStates(Supplier<Messaging> messaging, boolean ownAvailable, Consumer<Boolean> keepOwnMark,
               Consumer<Set<String>> unavailableChanged) {
        this.messaging = messaging;
        this.ownAvailable = ownAvailable;
        this.keepOwnMark = keepOwnMark;
        this.unavailableChanged = unavailableChanged;
    }

    /** The view's members with their states, then the nodes that left. */
    List<ClusterMember> decorate(List<ClusterMember> view) {
        List<ClusterMember> members = new ArrayList<>();
        for (ClusterMember member : view) {
            NodeState state = member.self() ? own() : others.getOrDefault(member.name(), NodeState.AVAILABLE);
            members.add(new ClusterMember(member.name(), member.address(), member.coordinator(), member.self(), state));
        }
        Set<String> inView = new TreeSet<>();
        view.forEach(member -> inView.add(member.name()));
        departed.values().stream().filter(m -> !inView.contains(m.name())) // back already, before its view arrived
                .sorted(java.util.Comparator.comparing(ClusterMember::name)).forEach(members::add);
        return members;
    }

    /** The nodes that left the view without a goodbye and are not back. */
    Set<String> failed() {
        Set<String> nodes = new TreeSet<>();
        departed.values().stream().filter(m -> m.state() == NodeState.FAILED).forEach(m -> nodes.add(m.name()));
        return nodes;
    }

    /** Marks this node, or asks another to mark itself. */
    CompletionStage<Void> mark(String node, boolean available) {
        Messaging channel = messaging.get();
        if (channel == null) {
            throw PlinthException.conflict("this node is not connected to its cluster");
        }
        if (node.equals(channel.localNode())) {
            markSelf(available);
            return CompletableFuture.completedFuture(null);
        }
        if (!channel.otherNodes().contains(node)) {
            throw PlinthException.notFound("no node " + node + " in the cluster's view");
        }
        return channel.request(node, TOPIC, new byte[] {available ? MARK_AVAILABLE : MARK_UNAVAILABLE}, Duration.ofSeconds(5))
                .thenAccept(answer -> others.put(node, available ? NodeState.AVAILABLE : NodeState.UNAVAILABLE))
                .thenRun(this::unavailableChanged);
    }

    /** Tells the others this node is stopping, and waits a little for them to hear it. */
    void farewell() {
        Messaging channel = messaging.get();
        if (channel == null) {
            return;
        }
        List<CompletableFuture<byte[]>> heard = new ArrayList<>();
        for (String node : channel.otherNodes()) {
            heard.add(channel.request(node, TOPIC, new byte[] {LEAVING}, FAREWELL_PATIENCE).toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(heard.toArray(CompletableFuture[]::new)).get(FAREWELL_PATIENCE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debug("Not every node heard this one leave: {}", e.toString());
        }
    }

    @Override
    public CompletionStage<byte[]> message(String fromNode, byte[] payload) {
        if (payload.length != 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a node state is one byte"));
        }
        Messaging channel = messaging.get();
        boolean fromTheView = channel != null && channel.otherNodes().contains(fromNode);
        if (!fromTheView && payload[0] <= LEAVING) {
            return CompletableFuture.completedFuture(new byte[0]); // late news of a node that has left
        }
        switch (payload[0]) {
            case AVAILABLE -> others.put(fromNode, NodeState.AVAILABLE);
            case UNAVAILABLE -> others.put(fromNode, NodeState.UNAVAILABLE);
            case LEAVING -> saidLeaving.add(fromNode);
            case MARK_AVAILABLE -> markSelf(true);
            case MARK_UNAVAILABLE -> markSelf(false);
            default -> {
                return CompletableFuture.failedFuture(new IllegalArgumentException("unknown node state " + payload[0]));
            }
        }
        unavailableChanged();
        return CompletableFuture.completedFuture(new byte[0]);
    }

    @Override
    public void nodesChanged(Set<String> otherNodes) {
        for (String gone : Set.copyOf(others.keySet())) {
            if (!otherNodes.contains(gone)) {
                others.remove(gone);
                NodeState how = saidLeaving.remove(gone) ? NodeState.OFFLINE : NodeState.FAILED;
                departed.put(gone, new ClusterMember(gone, null, false, false, how));
                LOG.info("Node {} left the cluster: {}", gone, how);
            }
        }
        for (String node : otherNodes) {
            departed.remove(node);
            if (others.putIfAbsent(node, NodeState.AVAILABLE) == null) {
                saidLeaving.remove(node); // back: a goodbye from its previous life no longer counts
            }
        }
        tellOthers();
        unavailableChanged();
    }

    private void markSelf(boolean available) {
        ownAvailable = available;
        keepOwnMark.accept(available);
        LOG.info("This node is now {}", own());
        tellOthers();
        unavailableChanged();
    }

    private NodeState own() {
        return ownAvailable ? NodeState.AVAILABLE : NodeState.UNAVAILABLE;
    }

    private void tellOthers() {
        Messaging channel = messaging.get();
        if (channel != null) {
            channel.broadcast(TOPIC, new byte[] {ownAvailable ? AVAILABLE : UNAVAILABLE});
        }
    }

    /** This node's channel is connected: the others learn its state (a mark kept across a restart among it). */
    void connected() {
        tellOthers();
        unavailableChanged();
    }

    /** Publishes the set of unavailable nodes, one computation at a time, and only when it changed. */
    private synchronized void unavailableChanged() {
        Messaging channel = messaging.get();
        Set<String> unavailable = new TreeSet<>();
        others.forEach((node, state) -> {
            if (state == NodeState.UNAVAILABLE) {
                unavailable.add(node);
            }
        });
        if (!ownAvailable && channel != null) {
            unavailable.add(channel.localNode());
        }
        if (!unavailable.equals(published)) {
            published = unavailable;
            unavailableChanged.accept(unavailable);
        }
    }
}
