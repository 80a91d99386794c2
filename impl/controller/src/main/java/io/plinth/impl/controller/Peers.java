package io.plinth.impl.controller;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.impl.controller.ControllerState.StoredInstance;
import io.plinth.impl.controller.PeerMessages.Answer;
import io.plinth.impl.controller.PeerMessages.Desired;
import io.plinth.impl.controller.PeerMessages.Kind;
import io.plinth.impl.controller.PeerMessages.Operation;
import io.plinth.impl.controller.PeerMessages.Snapshot;
import io.plinth.support.JsonBytes;
import io.plinth.support.JsonFile;
import io.plinth.support.MessagingTracker;
import io.plinth.support.Threads;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller across the cluster (seed §4.7). Each node hosts its own instances and keeps
 * their desired state; it tells every other node that state whenever it changes (and when asked,
 * after joining or a merge), and each node keeps, on disk, what every other told it. So every
 * node knows where each instance lives and can forward operations on it to its host.
 * <p>
 * When a node fails (leaves the view without saying goodbye), the primary owner of each of its
 * instances' segments ({@link Placement#owner}) re-creates the instance, with the same id and a
 * higher generation, on the least-loaded available node. Only a side that holds a majority of the
 * last view in which it held one does this (an equal half only if it holds that view's first
 * name), so a node or a minority cut off does not copy the cluster. When the failed node or the
 * other side comes back, the copy with the higher generation wins and the other is relinquished.
 */
final class Peers implements AutoCloseable {

    static final String DESIRED = "plinth.controller.desired";
    static final String OPERATIONS = "plinth.controller.operations";
    private static final Logger LOG = LoggerFactory.getLogger(Peers.class);
    private static final Duration ANSWER_PATIENCE = Duration.ofSeconds(10);
    private static final long SWEEP_SECONDS = 1;
    private static final Duration LOCATE_PATIENCE = Duration.ofSeconds(2);
    private static final Duration ADOPTED_MEMORY = Duration.ofSeconds(5);
    /** How long a moved instance's old copy keeps serving after the new one started: the other hubs hear of the new copy meanwhile. */
    private static final Duration HANDOVER = Duration.ofSeconds(1);

    /** The local controller, as the cluster side sees it. */
    interface Local {
        /** The desired state this node hosts. */
        ControllerState state();

        /** Runs an operation another node forwarded (or this node's own re-creation of a failed node's instance). */
        Answer handle(String fromNode, Operation operation);

        /** Another node's desired state arrived ({@code before}: the one it replaces, if any): duplicates to give up, links and monitors to forget. */
        void peerChanged(Snapshot before, Snapshot theirs);

        /** An instance of this node, which is being decommissioned, now runs on {@code node}: the copy here stops. */
        void moved(String instanceId, String node);
    }

    /** What this node was told by the others, as kept on disk. */
    record Known(Map<String, Snapshot> nodes) {
        Known {
            nodes = nodes == null ? Map.of() : Map.copyOf(nodes);
        }
    }

    private final Local local;
    private final String fallbackNode;
    private final JsonBytes json = new JsonBytes();
    private final JsonFile<Known> store = new JsonFile<>(JsonFile.nodeStore("controller", "peers.json"), Known.class);
    private final Map<String, Snapshot> known = new ConcurrentHashMap<>();
    /** Instances this node re-created on another, until that node's own state shows them. */
    private final Map<String, StoredInstance> adopted = new ConcurrentHashMap<>();
    /** Instances of this node (being decommissioned) on their way to another, and where to, until the copy here stopped. */
    private final Map<String, String> moving = new ConcurrentHashMap<>();
    /** Grows with each start of this component, so a late message of a predecessor never wins. */
    private final long incarnation = System.currentTimeMillis();
    private long sequence;
    /** Applies what arrives, publishes, and runs the fail-over rounds, one at a time. */
    private final ScheduledExecutorService work = Executors.newSingleThreadScheduledExecutor(Threads.named("plinth-controller-peers"));
    /** Operations forwarded here may wait for instances to start: never on the cluster's threads. */
    private final ExecutorService operations = Executors.newFixedThreadPool(8, Threads.named("plinth-controller-operations"));
    private final List<ServiceRegistration<ClusterMessageHandler>> handlers = new ArrayList<>();
    /** The view (this node included) as last seen on the work thread; empty while disconnected. */
    private volatile Set<String> view = Set.of();
    private boolean quorate = true;
    /** The last view in which this side held a quorum: a side must hold a majority of it to act. */
    private Set<String> reference = Set.of();
    /** Nodes seen failing while this side held a quorum, and not back since. */
    private final Set<String> failed = new TreeSet<>();
    private final BundleContext context;
    /** The cluster's messaging while this node is connected, and the nodes marked unavailable. */
    private MessagingTracker link;

    Peers(BundleContext context, Local local, String fallbackNode) {
        this.context = context;
        this.local = local;
        this.fallbackNode = fallbackNode;
        store.read().ifPresent(stored -> known.putAll(stored.nodes()));
    }

    /** Starts hearing the cluster: once the controller can take what arrives. */
    void start() {
        link = new MessagingTracker(context, new MessagingTracker.Listener() {
            @Override
            public void connected(ClusterMessaging messaging) {
                execute(Peers.this::viewChanged);
            }

            @Override
            public void disconnected() {
                // A node that leaves while drained has been decommissioned: the others' instances are none of its business now.
                boolean leftForGood = link.draining().contains(localNode()) && local.state().instances().isEmpty();
                execute(() -> {
                    view = Set.of();
                    if (leftForGood) {
                        known.clear();
                        store.write(new Known(known));
                    }
                });
            }
        });
        handlers.add(context.registerService(ClusterMessageHandler.class, new ClusterMessageHandler() {
            @Override
            public CompletionStage<byte[]> message(String fromNode, byte[] payload) {
                return desired(fromNode, payload);
            }

            @Override
            public void nodesChanged(Set<String> otherNodes) {
                execute(Peers.this::viewChanged);
            }
        }, topic(DESIRED)));
        handlers.add(context.registerService(ClusterMessageHandler.class, this::operation, topic(OPERATIONS)));
        link.open();
        work.scheduleWithFixedDelay(() -> guarded(this::sweep), SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    String localNode() {
        ClusterMessaging channel = link.messaging();
        return channel == null ? fallbackNode : channel.localNode();
    }

    /** Tells the other nodes this node's desired state (after each change). */
    void publish() {
        execute(() -> {
            ClusterMessaging channel = link.messaging();
            if (channel != null) {
                channel.broadcast(DESIRED, json.write(new Desired(false, snapshot())));
            }
        });
    }

    /** This node's desired state; its instances carry this node's cluster name, whatever they were created under. */
    private synchronized Snapshot snapshot() {
        ControllerState state = local.state();
        String self = localNode();
        return new Snapshot(self, incarnation, ++sequence, state.instances().stream().map(i -> i.on(self)).toList(),
                state.links(), state.monitors());
    }

    // --- where instances are ----------------------------------------------------------------

    /**
     * Every instance of the cluster this node knows of, each in its winning copy: the highest
     * generation, then the first node's name.
     */
    Map<String, StoredInstance> instances() {
        Map<String, StoredInstance> winners = new HashMap<>();
        java.util.function.Consumer<StoredInstance> consider = instance -> winners.merge(instance.id(), instance,
                (a, b) -> b.beats(a) ? b : a);
        known.values().forEach(snapshot -> snapshot.instances().forEach(consider));
        adopted.values().forEach(consider);
        String self = localNode();
        local.state().instances().forEach(instance -> consider.accept(instance.on(self)));
        return winners;
    }

    /** The node hosting an instance, or null when no node is known to. */
    String hostOf(String instanceId) {
        StoredInstance instance = instances().get(instanceId);
        return instance == null ? null : instance.node();
    }

    /**
     * The node hosting an instance, asking the nodes in view when this one has not heard of it
     * (yet: a node's news can lag behind an answer it gave); null when no node has it.
     */
    String locate(String instanceId) {
        String host = hostOf(instanceId);
        ClusterMessaging channel = link.messaging();
        if (host != null || channel == null) {
            return host;
        }
        byte[] question = json.write(Operation.on(Kind.INSTANCE, instanceId));
        List<CompletableFuture<String>> answers = otherNodes().stream().map(node -> channel.request(node, OPERATIONS, question, LOCATE_PATIENCE)
                .toCompletableFuture().handle((answer, failure) -> failure == null && hosts(answer) ? node : null)).toList();
        return answers.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    /** Whether an answer to INSTANCE found the instance. */
    private boolean hosts(byte[] answer) {
        try {
            return json.read(answer, Answer.class).reason() == null;
        } catch (IOException e) {
            return false;
        }
    }

    boolean inView(String node) {
        return view.contains(node);
    }

    /** Waits until {@code node} has left this node's view too (views reach nodes at slightly different times); false if it has not in time. */
    boolean awaitOutOfView(String node, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (view.contains(node)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The other nodes in the view. */
    Set<String> otherNodes() {
        Set<String> others = new TreeSet<>(view);
        others.remove(localNode());
        return others;
    }

    /**
     * Nodes that may receive new instances: those in the view neither marked unavailable nor
     * being decommissioned (this one alone when not in a cluster).
     */
    List<String> candidates() {
        Collection<String> nodes = view.isEmpty() ? Set.of(localNode()) : view;
        Set<String> unavailable = link.unavailable();
        Set<String> draining = link.draining();
        return nodes.stream().filter(node -> !unavailable.contains(node) && !draining.contains(node)).sorted().toList();
    }

    /** Where this node is moving an instance (its new copy starts or runs there, the one here still serves), or null. */
    String movingTo(String instanceId) {
        return moving.get(instanceId);
    }

    /** Whether a node is being decommissioned. */
    boolean draining(String node) {
        return link.draining().contains(node);
    }

    /** How many instances each node hosts. */
    Map<String, Integer> loads() {
        return loadsOf(instances().values());
    }

    private static Map<String, Integer> loadsOf(Collection<StoredInstance> instances) {
        Map<String, Integer> loads = new HashMap<>();
        instances.forEach(instance -> loads.merge(instance.node(), 1, Integer::sum));
        return loads;
    }

    /** Runs an operation on another node and waits for its answer; fails as the operation did there. */
    List<io.plinth.api.component.Instance> forward(String node, Operation operation, Duration patience) {
        ClusterMessaging channel = link.messaging();
        if (channel == null || !view.contains(node)) {
            throw new PlinthException(Reason.UNAVAILABLE, "node " + node + " is not in the cluster's view");
        }
        byte[] answer;
        try {
            answer = channel.request(node, OPERATIONS, json.write(operation), patience).toCompletableFuture()
                    .get(patience.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlinthException(Reason.UNAVAILABLE, "interrupted while waiting for node " + node, e);
        } catch (TimeoutException e) {
            throw new PlinthException(Reason.TIMEOUT, "node " + node + " did not answer within " + patience.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new PlinthException(Reason.UNAVAILABLE, "node " + node + " did not answer: " + e.getCause(), e.getCause());
        }
        return instancesIn(node, answer);
    }

    /** Like {@link #forward}, without waiting: completes with the instances, or exceptionally. */
    private CompletableFuture<List<io.plinth.api.component.Instance>> forwardAsync(ClusterMessaging channel, String node,
                                                                                 Operation operation, Duration patience) {
        return channel.request(node, OPERATIONS, json.write(operation), patience).toCompletableFuture()
                .thenApply(answer -> instancesIn(node, answer));
    }

    /** The instances an answer names; its error as a PlinthException. */
    private List<io.plinth.api.component.Instance> instancesIn(String node, byte[] answer) {
        Answer decoded;
        try {
            decoded = json.read(answer, Answer.class);
        } catch (IOException e) {
            throw new PlinthException(Reason.FAILED, "node " + node + " answered something unreadable: " + e.getMessage(), e);
        }
        if (decoded.reason() != null) {
            Reason reason = java.util.Arrays.stream(Reason.values()).filter(r -> r.name().equals(decoded.reason())).findFirst()
                    .orElse(Reason.FAILED);
            throw new PlinthException(reason, "on node " + node + ": " + decoded.message());
        }
        return decoded.instances().stream().map(PeerMessages.InstanceView::instance).toList();
    }

    // --- messages -------------------------------------------------------------------------------

    private CompletionStage<byte[]> desired(String fromNode, byte[] payload) {
        try {
            Desired message = json.read(payload, Desired.class);
            if (message.asking()) {
                return CompletableFuture.completedFuture(json.write(new Desired(false, snapshot())));
            }
            execute(() -> apply(fromNode, message.snapshot()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Dropped the desired state sent by node {}: {}", fromNode, e.toString());
        }
        return CompletableFuture.completedFuture(new byte[0]);
    }

    private void apply(String fromNode, Snapshot snapshot) {
        if (snapshot == null || !fromNode.equals(snapshot.node())) {
            LOG.warn("Node {} sent a desired state in the name of another; dropped", fromNode);
            return;
        }
        Snapshot before = known.get(fromNode);
        if (!snapshot.newerThan(before)) {
            return;
        }
        known.put(fromNode, snapshot);
        dropBeatenCopies(snapshot);
        store.write(new Known(known));
        snapshot.instances().forEach(instance -> adopted.computeIfPresent(instance.id(),
                (id, moved) -> instance.generation() >= moved.generation() ? null : moved));
        local.peerChanged(before, snapshot);
    }

    /**
     * Forgets the copies other nodes' snapshots hold of instances this snapshot holds in a newer
     * generation (a failed node's last word), so that an instance re-created elsewhere and then
     * destroyed there does not come back from them.
     */
    private void dropBeatenCopies(Snapshot newer) {
        Map<String, StoredInstance> theirs = new HashMap<>();
        newer.instances().forEach(instance -> theirs.put(instance.id(), instance));
        known.replaceAll((node, snapshot) -> {
            if (node.equals(newer.node()) || snapshot.instances().stream().noneMatch(i -> beatenBy(i, theirs))) {
                return snapshot;
            }
            return new Snapshot(snapshot.node(), snapshot.incarnation(), snapshot.sequence(),
                    snapshot.instances().stream().filter(i -> !beatenBy(i, theirs)).toList(), snapshot.links(), snapshot.monitors());
        });
    }

    private static boolean beatenBy(StoredInstance instance, Map<String, StoredInstance> newer) {
        StoredInstance other = newer.get(instance.id());
        return other != null && other.beats(instance);
    }

    private CompletionStage<byte[]> operation(String fromNode, byte[] payload) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        Operation operation;
        try {
            operation = json.read(payload, Operation.class);
        } catch (IOException e) {
            answer.complete(json.write(new Answer(null, Reason.INVALID.name(), "cannot read that operation: " + e.getMessage())));
            return answer;
        }
        try {
            operations.execute(() -> answer.complete(json.write(run(fromNode, operation))));
        } catch (RejectedExecutionException closing) {
            answer.complete(json.write(new Answer(null, Reason.UNAVAILABLE.name(), "the controller is stopping")));
        }
        return answer;
    }

    private Answer run(String fromNode, Operation operation) {
        try {
            return local.handle(fromNode, operation);
        } catch (PlinthException e) {
            return new Answer(null, e.reason().name(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Operation {} from node {} failed", operation.kind(), fromNode, e);
            return new Answer(null, Reason.FAILED.name(), e.toString());
        }
    }

    // --- views and failures ---------------------------------------------------------------------

    /**
     * The view changed (or the cluster's messaging came): reads it now, on the work thread, so
     * views are taken in order. A node that left without a goodbye counts as failed while this
     * side holds a majority of the last view in which it held one (half of it, if that half has
     * the view's first name); a side without one forgets them: it cannot tell who is gone.
     */
    private void viewChanged() {
        ClusterMessaging channel = link.messaging();
        if (channel == null) {
            return;
        }
        Set<String> now = new TreeSet<>(channel.otherNodes());
        now.add(channel.localNode());
        Set<String> newcomers = new TreeSet<>(now);
        newcomers.removeAll(view);
        newcomers.remove(channel.localNode());
        forgetDestroyed(channel.destroyedNodes());
        quorate = reference.isEmpty() || holdsQuorum(now, reference);
        if (quorate) {
            reference = Set.copyOf(now);
            failed.addAll(channel.failedNodes());
            failed.removeAll(now);
        } else {
            LOG.warn("Only {} of the nodes {} are in view: no instance is re-created from this side", now, reference);
            failed.clear();
        }
        view = Set.copyOf(now);
        exchange(newcomers);
        failOver();
    }

    /** Decommissioned nodes count for no quorum, and what they told (nothing, once drained) is dropped. */
    private void forgetDestroyed(Set<String> destroyed) {
        if (destroyed.isEmpty()) {
            return;
        }
        Set<String> kept = new TreeSet<>(reference);
        kept.removeAll(destroyed);
        reference = Set.copyOf(kept);
        if (known.keySet().removeAll(destroyed)) {
            store.write(new Known(known));
        }
    }

    private static boolean holdsQuorum(Set<String> now, Set<String> before) {
        long kept = before.stream().filter(now::contains).count();
        return 2 * kept > before.size() || 2 * kept == before.size() && now.contains(new TreeSet<>(before).first());
    }

    /**
     * Tells newcomers this node's desired state and asks for theirs. Both ways: a node that was
     * frozen may come back into a view that looks to it as before, so it would not ask anyone.
     */
    private void exchange(Set<String> nodes) {
        ClusterMessaging channel = link.messaging();
        if (channel == null || nodes.isEmpty()) {
            return;
        }
        byte[] question = json.write(new Desired(true, null));
        byte[] own = json.write(new Desired(false, snapshot()));
        for (String node : nodes) {
            channel.send(node, DESIRED, own);
            channel.request(node, DESIRED, question, ANSWER_PATIENCE).whenComplete((answer, failure) -> {
                if (failure != null) {
                    LOG.info("Node {} did not tell its desired state: {}", node, failure.toString());
                    return;
                }
                try {
                    Snapshot theirs = json.read(answer, Desired.class).snapshot();
                    execute(() -> apply(node, theirs));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Dropped the desired state of node {}: {}", node, e.toString());
                }
            });
        }
    }

    private void sweep() {
        failOver();
        drain();
    }

    /**
     * While this node is being decommissioned, moves each of its instances to the least-loaded
     * available node: started there first, then (after {@link #HANDOVER}) stopped here. A move that
     * did not take is tried again on the next round.
     */
    private void drain() {
        ClusterMessaging channel = link.messaging();
        String self = localNode();
        if (channel == null || !link.draining().contains(self)) {
            return;
        }
        ControllerState state = local.state();
        List<String> candidates = candidates();
        Map<String, StoredInstance> everywhere = instances();
        Map<String, Integer> loads = loadsOf(everywhere.values());
        for (StoredInstance instance : state.instances().stream().sorted(java.util.Comparator.comparing(StoredInstance::id)).toList()) {
            if (moving.containsKey(instance.id())) {
                continue;
            }
            StoredInstance winner = everywhere.get(instance.id());
            if (winner != null && !winner.node().equals(self) && winner.beats(instance.on(self))) {
                // Moved already (its answer was late, or this controller restarted meanwhile): never a second copy.
                handOver(instance.id(), winner.node());
                continue;
            }
            String target = Placement.leastLoaded(candidates, loads);
            if (target == null) {
                LOG.warn("No available node to take the instances of this node, which is being decommissioned");
                return;
            }
            moving.put(instance.id(), target);
            loads.merge(target, 1, Integer::sum);
            Operation move = Operation.move(instance.movedTo(target), self,
                    state.links().stream().filter(p -> p.involves(instance.id())).toList(),
                    state.monitors().stream().filter(p -> p.involves(instance.id())).toList());
            LOG.info("Moving instance {} to node {}", instance.id(), target);
            forwardAsync(channel, target, move, ANSWER_PATIENCE).whenComplete((done, failure) -> {
                if (failure != null) {
                    moving.remove(instance.id());
                    LOG.warn("Could not move instance {} to node {}: {}", instance.id(), target, failure.toString());
                } else {
                    handOver(instance.id(), target);
                }
            });
        }
    }

    /** Stops the copy here of an instance that now runs on {@code target}, after {@link #HANDOVER}. */
    private void handOver(String instanceId, String target) {
        moving.put(instanceId, target);
        schedule(() -> runOperation(() -> {
            try {
                local.moved(instanceId, target);
            } finally {
                moving.remove(instanceId);
            }
        }), HANDOVER);
    }

    /** Runs a task that may wait (for instances to stop or start) on the operations pool. */
    private void runOperation(Runnable task) {
        try {
            operations.execute(() -> guarded(task));
        } catch (RejectedExecutionException closing) {
            LOG.debug("Controller peers closing: dropped an operation");
        }
    }

    /**
     * Re-creates the instances of failed nodes whose segments this node owns, each on the
     * least-loaded available node; repeated every second while failed nodes have instances, so a
     * re-creation that did not take is tried again. Every owner places all the orphans in the same
     * order from the same loads, and acts on its own share: together they spread them, rather than
     * each sending its share to the same least-loaded node.
     */
    private void failOver() {
        String self = localNode();
        ClusterMessaging channel = link.messaging();
        if (!quorate || failed.isEmpty() || channel == null) {
            return;
        }
        List<String> candidates = candidates();
        Map<String, StoredInstance> everything = instances();
        Map<String, Integer> loads = loadsOf(everything.values());
        List<StoredInstance> orphans = everything.values().stream().filter(instance -> failed.contains(instance.node()))
                .sorted(java.util.Comparator.comparing(StoredInstance::id)).toList();
        for (StoredInstance instance : orphans) {
            String target = Placement.leastLoaded(candidates, loads);
            if (target == null) {
                LOG.warn("No available node to re-create the instances of failed nodes {}", failed);
                return;
            }
            loads.merge(target, 1, Integer::sum);
            if (!Placement.owner(instance.id(), view).equals(self)) {
                continue;
            }
            Snapshot from = known.get(instance.node());
            StoredInstance moved = instance.movedTo(target);
            Operation adopt = Operation.adopt(moved, instance.node(), "noconnection: node " + instance.node() + " failed",
                    from == null ? List.of() : from.links().stream().filter(p -> p.involves(instance.id())).toList(),
                    from == null ? List.of() : from.monitors().stream().filter(p -> p.involves(instance.id())).toList());
            LOG.info("Re-creating instance {} of failed node {} on node {}", instance.id(), instance.node(), target);
            if (target.equals(self)) {
                runOperation(() -> {
                    Answer answer = run(self, adopt);
                    if (answer.reason() != null) {
                        LOG.warn("Could not re-create instance {} here: {}", moved.id(), answer.message());
                    }
                });
                continue;
            }
            adopted.put(moved.id(), moved); // until the target's own state shows it
            forwardAsync(channel, target, adopt, ANSWER_PATIENCE).whenComplete((done, failure) -> {
                if (failure != null) {
                    adopted.remove(moved.id(), moved); // the next round tries again
                    LOG.warn("Could not re-create instance {} on node {}: {}", moved.id(), target, failure.toString());
                } else {
                    // Its state (sent before it answered) shows it by then, or it has ended there meanwhile.
                    schedule(() -> adopted.remove(moved.id(), moved), ADOPTED_MEMORY);
                }
            });
        }
    }

    private void execute(Runnable task) {
        try {
            work.execute(() -> guarded(task));
        } catch (RejectedExecutionException closing) {
            LOG.debug("Controller peers closing: dropped a task");
        }
    }

    private void schedule(Runnable task, Duration delay) {
        try {
            work.schedule(() -> guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            LOG.debug("Controller peers closing: dropped a task");
        }
    }

    /** Runs a task of the work thread: a failure is logged, and the next task (or round) still runs. */
    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("Controller peers: a task failed", e);
        }
    }

    private static Dictionary<String, Object> topic(String name) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ClusterMessageHandler.TOPIC, name);
        return properties;
    }

    @Override
    public void close() {
        handlers.forEach(ServiceRegistration::unregister);
        if (link != null) {
            link.close();
        }
        work.shutdown(); // not interrupted: a file being written is finished
        try {
            if (!work.awaitTermination(ANSWER_PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                work.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        operations.shutdown();
        try {
            if (!operations.awaitTermination(ANSWER_PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                operations.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
