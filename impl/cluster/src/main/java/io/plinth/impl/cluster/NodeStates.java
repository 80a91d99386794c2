package io.plinth.impl.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.NodeState;
import io.plinth.api.error.PlinthException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes' life-cycle states (seed 000 §4.5.2) as this node knows them. Each node tells the
 * others its own state — available or unavailable (an admin's mark, kept across restarts), and
 * whether it is being decommissioned — on every change and every view change, and, when it stops,
 * that it is leaving (for a while, or for good once decommissioned). A node that leaves the view is
 * then offline or destroyed if it said so, failed if not. Marks and decommissions for another node
 * travel to it as a request. One byte per message.
 */
final class NodeStates implements ClusterMessageHandler {

    static final String TOPIC = "plinth.cluster.node";
    private static final Logger LOG = LoggerFactory.getLogger(NodeStates.class);
    private static final byte AVAILABLE = 0;
    private static final byte UNAVAILABLE = 1;
    private static final byte LEAVING = 2;
    private static final byte MARK_AVAILABLE = 3;
    private static final byte MARK_UNAVAILABLE = 4;
    private static final byte DRAINING = 5;
    private static final byte DECOMMISSION = 6;
    private static final byte LEAVING_FOR_GOOD = 7;
    private static final byte TELL_STATE = 8;
    private static final Duration FAREWELL_PATIENCE = Duration.ofSeconds(1);
    private static final Duration REQUEST_PATIENCE = Duration.ofSeconds(5);

    /** The nodes marked unavailable, and those being decommissioned, this node included. */
    record Marks(Set<String> unavailable, Set<String> draining) {
        static final Marks NONE = new Marks(Set.of(), Set.of());
    }

    /** What the node this runs on does about states. */
    interface Owner {
        /** Keeps this node's availability mark across restarts. */
        void keepOwnMark(boolean available);

        /** The marks changed: the messaging service's users learn them. */
        void marksChanged(Marks marks);

        /** Another node asks this one to decommission itself; a refusal is thrown as a PlinthException. */
        void decommissionAsked();

        /** A node left the cluster for good. */
        void destroyed(String node);
    }

    private final Supplier<Messaging> messaging;
    private final Owner owner;
    private volatile boolean ownAvailable;
    private volatile boolean ownDraining;
    /** The other nodes in the view, with the availability they told. */
    private final Map<String, NodeState> others = new ConcurrentHashMap<>();
    /** The other nodes in the view that said they are being decommissioned. */
    private final Set<String> othersDraining = ConcurrentHashMap.newKeySet();
    /** Nodes that left the view, with how, and where they were. */
    private final Map<String, ClusterMember> departed = new ConcurrentHashMap<>();
    /** Nodes that said they are leaving, and whether for good. */
    private final Map<String, Boolean> saidLeaving = new ConcurrentHashMap<>();
    /** The marks last published. */
    private Marks published = Marks.NONE;

    NodeStates(Supplier<Messaging> messaging, boolean ownAvailable, boolean ownDraining, Owner owner) {
        this.messaging = messaging;
        this.ownAvailable = ownAvailable;
        this.ownDraining = ownDraining;
        this.owner = owner;
    }

    /** The view's members with their states, then the nodes that left. */
    List<ClusterMember> decorate(List<ClusterMember> view) {
        List<ClusterMember> members = new ArrayList<>();
        for (ClusterMember member : view) {
            NodeState state = member.self() ? own() : othersDraining.contains(member.name()) ? NodeState.DESTROYING
                    : others.getOrDefault(member.name(), NodeState.AVAILABLE);
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
        return departed(NodeState.FAILED);
    }

    /** The nodes that left the cluster for good. */
    Set<String> destroyed() {
        return departed(NodeState.DESTROYED);
    }

    private Set<String> departed(NodeState how) {
        Set<String> nodes = new TreeSet<>();
        departed.values().stream().filter(m -> m.state() == how).forEach(m -> nodes.add(m.name()));
        return nodes;
    }

    /** Marks this node, or asks another to mark itself. */
    CompletionStage<Void> mark(String node, boolean available) {
        if (isSelf(node)) {
            markSelf(available);
            return CompletableFuture.completedFuture(null);
        }
        return ask(node, available ? MARK_AVAILABLE : MARK_UNAVAILABLE)
                .thenAccept(answer -> others.put(node, available ? NodeState.AVAILABLE : NodeState.UNAVAILABLE))
                .thenRun(this::marksChanged);
    }

    /** Asks another node to decommission itself; completes exceptionally (CONFLICT) when it refuses. */
    CompletionStage<Void> decommission(String node) {
        return ask(node, DECOMMISSION).thenAccept(refusal -> {
            if (refusal.length > 0) {
                throw PlinthException.conflict(new String(refusal, StandardCharsets.UTF_8));
            }
            othersDraining.add(node);
            marksChanged();
        });
    }

    /** This node is being decommissioned (kept by the owner across restarts): the others hear it. */
    void drainSelf() {
        ownDraining = true;
        LOG.info("This node is being decommissioned: its instances move to the other nodes");
        tellOthers();
        marksChanged();
    }

    /** This node has left its cluster for good: should it join another, it starts afresh. */
    void retired() {
        ownDraining = false;
        othersDraining.clear();
        marksChanged();
    }

    /** Whether {@code node} is this one; CONFLICT while not connected, NOT_FOUND when it is not in the view. */
    boolean isSelf(String node) {
        Messaging channel = messaging.get();
        if (channel == null) {
            throw PlinthException.conflict("this node is not connected to its cluster");
        }
        if (node.equals(channel.localNode())) {
            return true;
        }
        if (!channel.otherNodes().contains(node)) {
            throw PlinthException.notFound("no node " + node + " in the cluster's view");
        }
        return false;
    }

    private CompletionStage<byte[]> ask(String node, byte request) {
        return messaging.get().request(node, TOPIC, new byte[] {request}, REQUEST_PATIENCE);
    }

    /** Tells the others this node is stopping, for a while or for good, and waits a little for them to hear it. */
    void farewell(boolean forGood) {
        Messaging channel = messaging.get();
        if (channel == null) {
            return;
        }
        List<CompletableFuture<byte[]>> heard = new ArrayList<>();
        byte[] goodbye = {forGood ? LEAVING_FOR_GOOD : LEAVING};
        for (String node : channel.otherNodes()) {
            heard.add(channel.request(node, TOPIC, goodbye, FAREWELL_PATIENCE).toCompletableFuture());
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
        boolean request = payload[0] == MARK_AVAILABLE || payload[0] == MARK_UNAVAILABLE || payload[0] == DECOMMISSION;
        if (!fromTheView && !request) {
            return CompletableFuture.completedFuture(new byte[0]); // late news of a node that has left
        }
        switch (payload[0]) {
            case AVAILABLE -> others.put(fromNode, NodeState.AVAILABLE);
            case UNAVAILABLE -> others.put(fromNode, NodeState.UNAVAILABLE);
            case DRAINING -> othersDraining.add(fromNode);
            case LEAVING -> saidLeaving.put(fromNode, false);
            case LEAVING_FOR_GOOD -> saidLeaving.put(fromNode, true);
            case TELL_STATE -> tellOthers();
            case MARK_AVAILABLE -> markSelf(true);
            case MARK_UNAVAILABLE -> markSelf(false);
            case DECOMMISSION -> {
                try {
                    owner.decommissionAsked();
                } catch (PlinthException refused) {
                    return CompletableFuture.completedFuture(refused.getMessage().getBytes(StandardCharsets.UTF_8));
                }
            }
            default -> {
                return CompletableFuture.failedFuture(new IllegalArgumentException("unknown node state " + payload[0]));
            }
        }
        marksChanged();
        return CompletableFuture.completedFuture(new byte[0]);
    }

    @Override
    public void nodesChanged(Set<String> otherNodes) {
        for (String gone : Set.copyOf(others.keySet())) {
            if (!otherNodes.contains(gone)) {
                others.remove(gone);
                othersDraining.remove(gone);
                Boolean forGood = saidLeaving.remove(gone);
                NodeState how = forGood == null ? NodeState.FAILED : forGood ? NodeState.DESTROYED : NodeState.OFFLINE;
                departed.put(gone, new ClusterMember(gone, null, false, false, how));
                LOG.info("Node {} left the cluster: {}", gone, how);
                if (how == NodeState.DESTROYED) {
                    owner.destroyed(gone);
                }
            }
        }
        for (String node : otherNodes) {
            departed.remove(node);
            if (others.putIfAbsent(node, NodeState.AVAILABLE) == null) {
                saidLeaving.remove(node); // back: a goodbye from its previous life no longer counts
            }
        }
        tellOthers();
        marksChanged();
    }

    private void markSelf(boolean available) {
        ownAvailable = available;
        owner.keepOwnMark(available);
        LOG.info("This node is now {}", ownAvailable ? NodeState.AVAILABLE : NodeState.UNAVAILABLE);
        tellOthers();
        marksChanged();
    }

    private NodeState own() {
        return ownDraining ? NodeState.DESTROYING : ownAvailable ? NodeState.AVAILABLE : NodeState.UNAVAILABLE;
    }

    private void tellOthers() {
        Messaging channel = messaging.get();
        if (channel != null) {
            channel.broadcast(TOPIC, new byte[] {ownAvailable ? AVAILABLE : UNAVAILABLE});
            if (ownDraining) {
                channel.broadcast(TOPIC, new byte[] {DRAINING});
            }
        }
    }

    /**
     * This node's channel is connected: the others learn its state (a mark kept across a restart
     * among it), and are asked for theirs again, since what they said while it was connecting
     * arrived before it could take it.
     */
    void connected() {
        tellOthers();
        Messaging channel = messaging.get();
        if (channel != null) {
            channel.broadcast(TOPIC, new byte[] {TELL_STATE});
        }
        marksChanged();
    }

    /** Publishes the marks, one computation at a time, and only when they changed. */
    private synchronized void marksChanged() {
        Messaging channel = messaging.get();
        Set<String> unavailable = new TreeSet<>();
        others.forEach((node, state) -> {
            if (state == NodeState.UNAVAILABLE) {
                unavailable.add(node);
            }
        });
        Set<String> draining = new TreeSet<>(othersDraining);
        if (channel != null) {
            if (!ownAvailable) {
                unavailable.add(channel.localNode());
            }
            if (ownDraining) {
                draining.add(channel.localNode());
            }
        }
        Marks marks = new Marks(unavailable, draining);
        if (!marks.equals(published)) {
            published = marks;
            owner.marksChanged(marks);
        }
    }
}
