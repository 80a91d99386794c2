package io.plinth.impl.controller;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.plinth.api.component.ComponentConstants;
import io.plinth.api.component.ComponentController;
import io.plinth.api.component.ComponentType;
import io.plinth.api.component.Harness;
import io.plinth.api.component.Instance;
import io.plinth.api.component.InstanceEvent;
import io.plinth.api.component.InstanceListener;
import io.plinth.api.component.InstanceSpec;
import io.plinth.api.component.InstanceState;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.hub.Hub;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Target;
import io.plinth.impl.controller.ControllerState.Pair;
import io.plinth.impl.controller.ControllerState.StoredInstance;
import io.plinth.impl.controller.PeerMessages.Answer;
import io.plinth.impl.controller.PeerMessages.Kind;
import io.plinth.impl.controller.PeerMessages.Operation;
import io.plinth.impl.controller.PeerMessages.Snapshot;
import io.plinth.support.Gate;
import io.plinth.support.JsonFile;
import io.plinth.support.ServiceProxy;
import io.plinth.support.Threads;
import io.plinth.support.Whiteboard;

import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The component controller of a node (seed §4.7.3). Desired state (types, instances, links,
 * monitors) is persisted on every change; each instance is a factory configuration of its type's
 * component, bound to the type's exact bundle; the harness reports how the instances do.
 */
@Component(service = ComponentController.class, immediate = true)
public final class Controller implements ComponentController {

    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    private static final Duration STOP_PATIENCE = Duration.ofSeconds(10);
    /** A live update waits this long for calls in flight: longer than a create waits by default. */
    private static final Duration DRAIN_PATIENCE = InstanceSpec.DEFAULT_TIMEOUT.plusSeconds(5);
    private static final Duration LINK_GRACE = Duration.ofSeconds(5);
    private static final String NORMAL = "normal";
    /** How long a listing waits for another node: a frozen one is not worth more. */
    private static final Duration LIST_PATIENCE = Duration.ofSeconds(2);
    private static final Duration ADOPT_PATIENCE = Duration.ofSeconds(5);

    @Reference
    private ConfigurationAdmin configurations;
    @Reference
    private FeaturesService features;

    private final Gate gate = new Gate("the component controller");
    private final String node = System.getProperty("karaf.name", "root");
    /** Instances in a state only the controller knows (preparing, stopping, destroying). */
    private final Map<String, InstanceState> transitions = new ConcurrentHashMap<>();
    private final Object changes = new Object();

    private BundleContext context;
    private CodeInstaller installer;
    private JsonFile<ControllerState> store;
    private volatile ControllerState state;
    private ServiceProxy<Hub> hub;
    /** Through a proxy too, so that replacing the harness bundle does not restart the controller. */
    private Harness harness;
    private ServiceProxy<Harness> harnessProxy;
    private Whiteboard<InstanceListener, InstanceEvent> listeners;
    private ExecutorService propagation;
    private ServiceRegistration<InstanceListener> harnessEvents;
    private TypeSync typeSync;
    private Peers peers;

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        installer = new CodeInstaller(context, features);
        store = new JsonFile<>(JsonFile.nodeStore("controller", "state.json"), ControllerState.class);
        state = store.read().orElse(ControllerState.EMPTY);
        hub = new ServiceProxy<>(context, Hub.class, Duration.ofSeconds(30));
        harnessProxy = new ServiceProxy<>(context, Harness.class, Duration.ofSeconds(30));
        harness = harnessProxy.get();
        listeners = new Whiteboard<>(context, InstanceListener.class, InstanceListener.INSTANCE, InstanceListener::instanceEvent);
        propagation = Executors.newSingleThreadExecutor(Threads.named("plinth-controller-propagation"));
        // Registered by hand, not as this component's service: DS would find it while activating it.
        harnessEvents = context.registerService(InstanceListener.class, this::instanceEvent, null);
        peers = new Peers(context, new PeerSide(), node);
        peers.start();
        propagation.execute(this::reconcile);
        typeSync = new TypeSync(context, this::types, type -> adopt(type, false), type -> {
            if (findType(type.name(), type.version()) != null) {
                drop(type.name(), type.version(), false);
            }
        });
    }

    /**
     * Refuses new operations, lets those in flight finish, then the crash handling and link
     * propagation they queued; only then stops hearing the harness (the successor's reconcile
     * picks up whatever ends after that).
     */
    @Deactivate
    void deactivate() {
        if (!gate.closeAndDrain(DRAIN_PATIENCE)) {
            LOG.warn("Controller stopped with operations still in flight after {}", DRAIN_PATIENCE);
        }
        typeSync.close(); // after the drain: registrations in flight are still announced
        propagation.shutdown();
        try {
            if (!propagation.awaitTermination(DRAIN_PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("Controller stopped before it finished propagating ends to linked instances");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        peers.close(); // after the propagation: linked instances on other nodes are still told
        harnessEvents.unregister();
        listeners.close();
        hub.close();
        harnessProxy.close();
    }

    /**
     * Brings the node in line with the desired state: code installed, one configuration per
     * instance; an instance that crashed while no controller listened is ended now.
     */
    private void reconcile() {
        for (StoredInstance instance : state.instances()) {
            try {
                if (harness.state(instance.id()) == InstanceState.DESTROYED) {
                    end(instance.id(), "crashed: while the controller was being replaced");
                } else {
                    ensureRunning(instance);
                }
            } catch (RuntimeException e) {
                LOG.error("Cannot bring back instance {} of {}/{}", instance.id(), instance.type(), instance.version(), e);
            }
        }
    }

    // --- types --------------------------------------------------------------------------------

    @Override
    public ComponentType registerType(ComponentType type) {
        adopt(type, true);
        return type;
    }

    /**
     * Registers a type here (the same type again changes nothing); when it is new and {@code announce},
     * the other nodes hear of it, in the order of this node's changes.
     */
    private void adopt(ComponentType type, boolean announce) {
        gate.enter();
        try {
            synchronized (this) {
                ComponentType existing = findType(type.name(), type.version());
                if (existing != null) {
                    if (existing.equals(type)) {
                        return;
                    }
                    throw PlinthException.conflict("type " + type.key() + " is already registered differently; "
                            + "a type is immutable: register a new version instead");
                }
                installer.verify(type);
                List<ComponentType> types = new ArrayList<>(state.types());
                types.add(type);
                save(new ControllerState(types, state.instances(), state.links(), state.monitors()));
                LOG.info("Registered type {} ({} {})", type.key(), type.kind(), type.artifact());
                if (announce) {
                    typeSync.registered(type);
                }
            }
        } finally {
            gate.exit();
        }
    }

    @Override
    public void unregisterType(String name, String version) {
        drop(name, version, true);
    }

    /** Unregisters a type here, and when {@code announce} tells the other nodes; CONFLICT while instances of it run. */
    private void drop(String name, String version, boolean announce) {
        gate.enter();
        try {
            synchronized (this) {
                ComponentType type = type(name, version);
                long running = state.instances().stream().filter(i -> i.type().equals(name) && i.version().equals(version)).count();
                if (running > 0) {
                    throw PlinthException.conflict("type " + type.key() + " still has " + running + " instance(s); destroy them first");
                }
                List<ComponentType> types = new ArrayList<>(state.types());
                types.remove(type);
                save(new ControllerState(types, state.instances(), state.links(), state.monitors()));
                installer.uninstall(type, types.stream().anyMatch(t -> t.artifact().equals(type.artifact())));
                LOG.info("Unregistered type {}", type.key());
                if (announce) {
                    typeSync.unregistered(type);
                }
            }
        } finally {
            gate.exit();
        }
    }

    @Override
    public List<ComponentType> types() {
        return state.types().stream().sorted(Comparator.comparing(ComponentType::key)).toList();
    }

    @Override
    public ComponentType type(String name, String version) {
        ComponentType type = findType(name, version);
        if (type == null) {
            throw PlinthException.notFound("no type " + name + "/" + version + " is registered");
        }
        return type;
    }

    private ComponentType findType(String name, String version) {
        return state.types().stream().filter(t -> t.name().equals(name) && t.version().equals(version)).findFirst().orElse(null);
    }

    // --- instances ----------------------------------------------------------------------------

    /**
     * Places the instances (on the spec's node, else each on the least-loaded available node),
     * creates them there, and answers once all are available. All or nothing: when a node fails to
     * create its share, the shares created elsewhere are destroyed.
     */
    @Override
    public List<Instance> create(InstanceSpec spec) {
        type(spec.type(), spec.version());
        List<Instance> created = new ArrayList<>();
        try {
            for (Map.Entry<String, Integer> share : place(spec).entrySet()) {
                InstanceSpec part = new InstanceSpec(spec.type(), spec.version(), share.getValue(), spec.configuration(),
                        spec.groups(), spec.timeout(), share.getKey());
                created.addAll(share.getKey().equals(peers.localNode()) ? createHere(part)
                        : peers.forward(share.getKey(), Operation.create(part), spec.timeout().plus(STOP_PATIENCE)));
            }
            return created;
        } catch (PlinthException e) {
            if (e.reason() != Reason.TIMEOUT) {
                for (Instance instance : created) {
                    try {
                        destroy(instance.id(), "crashed: " + e.getMessage(), null);
                    } catch (RuntimeException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                }
            }
            throw e;
        }
    }

    /** How many instances go to which node. */
    private Map<String, Integer> place(InstanceSpec spec) {
        Map<String, Integer> shares = new LinkedHashMap<>();
        if (spec.node() != null) {
            if (!spec.node().equals(peers.localNode()) && !peers.inView(spec.node())) {
                throw PlinthException.notFound("no node " + spec.node() + " in the cluster's view");
            }
            if (peers.draining(spec.node())) {
                throw PlinthException.conflict("node " + spec.node() + " is being decommissioned: it takes no new instance");
            }
            shares.put(spec.node(), spec.count());
            return shares;
        }
        List<String> candidates = peers.candidates();
        if (candidates.isEmpty()) {
            throw new PlinthException(Reason.UNAVAILABLE, "no node is available for new instances");
        }
        Map<String, Integer> loads = peers.loads();
        for (int i = 0; i < spec.count(); i++) {
            String node = Placement.leastLoaded(candidates, loads);
            shares.merge(node, 1, Integer::sum);
            loads.merge(node, 1, Integer::sum);
        }
        return shares;
    }

    /** Creates instances on this node. */
    private List<Instance> createHere(InstanceSpec spec) {
        gate.enter();
        List<StoredInstance> created = new ArrayList<>();
        try {
            ComponentType type = type(spec.type(), spec.version());
            Map<String, String> configuration = new LinkedHashMap<>(type.defaults());
            configuration.putAll(spec.configuration());
            synchronized (this) {
                List<StoredInstance> instances = new ArrayList<>(state.instances());
                for (int i = 0; i < spec.count(); i++) {
                    StoredInstance instance = new StoredInstance(Identifiers.newInstanceId(type.name()), type.name(),
                            type.version(), peers.localNode(), configuration, spec.groups(), System.currentTimeMillis(), 0);
                    transitions.put(instance.id(), InstanceState.PREPARING);
                    instances.add(instance);
                    created.add(instance);
                }
                save(new ControllerState(state.types(), instances, state.links(), state.monitors()));
            }
            for (StoredInstance instance : created) {
                publish(instance, InstanceState.PREPARING, "created");
                ensureRunning(instance);
            }
            awaitAvailable(created, spec.timeout());
            return created.stream().map(this::view).toList();
        } catch (PlinthException e) {
            if (e.reason() == Reason.TIMEOUT) {
                throw e; // they may still come up; the caller got their ids in the message
            }
            // All or nothing: a create that fails leaves no instance of it behind.
            for (StoredInstance instance : created) {
                try {
                    end(instance.id(), "crashed: " + e.getMessage());
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            // Past the gate the work has begun: "unavailable" (retry) would now be a lie.
            throw e.reason() == Reason.UNAVAILABLE ? new PlinthException(Reason.FAILED, e.getMessage(), e) : e;
        } finally {
            gate.exit();
        }
    }

    private void ensureRunning(StoredInstance instance) {
        ComponentType type = type(instance.type(), instance.version());
        CodeInstaller.ComponentCode code = installer.install(type);
        try {
            if (configurationOf(instance.id()) == null) {
                Configuration configuration = configurations.getFactoryConfiguration(code.factoryPid(), instance.id(),
                        code.bundleLocation());
                Hashtable<String, Object> properties = new Hashtable<>(instance.configuration());
                properties.put(ComponentConstants.INSTANCE_ID, instance.id());
                properties.put(ComponentConstants.TYPE, instance.type());
                properties.put(ComponentConstants.VERSION, instance.version());
                properties.put(ComponentConstants.NODE, instance.node());
                properties.put(ComponentConstants.GROUPS, instance.groups().toArray(new String[0]));
                configuration.update(properties);
                publish(instance, InstanceState.INITIALIZING, "configured");
            }
        } catch (IOException e) {
            throw new PlinthException(Reason.FAILED, "cannot configure instance " + instance.id() + ": " + e.getMessage(), e);
        }
        transitions.remove(instance.id(), InstanceState.PREPARING);
    }

    private void awaitAvailable(List<StoredInstance> instances, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (StoredInstance instance : instances) {
            InstanceState reached = awaitHarness(instance.id(), deadline, state -> state == InstanceState.AVAILABLE
                    || state == InstanceState.UNAVAILABLE || state == InstanceState.DESTROYED || !isDesired(instance.id()));
            if (reached == InstanceState.DESTROYED || !isDesired(instance.id())) {
                throw new PlinthException(Reason.FAILED, "instance " + instance.id() + " of " + instance.type()
                        + "/" + instance.version() + " failed to start; see the node's log");
            }
            if (reached != InstanceState.AVAILABLE && reached != InstanceState.UNAVAILABLE) {
                throw new PlinthException(Reason.TIMEOUT, "instance " + instance.id() + " is still "
                        + reached.name().toLowerCase(java.util.Locale.ROOT) + " after " + timeout.toMillis()
                        + " ms; created, and kept: " + instances.stream().map(StoredInstance::id).toList());
            }
        }
    }

    /**
     * Waits until the harness reports a state {@code done} accepts, or the deadline; answers the
     * last state seen. The checks run outside the lock: they call other bundles.
     */
    private InstanceState awaitHarness(String instanceId, long deadline, java.util.function.Predicate<InstanceState> done) {
        while (true) {
            InstanceState current = harness.state(instanceId);
            if (done.test(current) || deadline - System.nanoTime() <= 0) {
                return current;
            }
            synchronized (changes) {
                try {
                    changes.wait(1); // events wake us sooner; the hub's side is polled
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return current;
                }
            }
        }
    }

    @Override
    public Instance terminate(String instanceId, String reason) {
        String host = remoteHost(instanceId);
        return host == null ? terminateHere(instanceId, reason)
                : forwardOne(host, Operation.ending(Kind.TERMINATE, instanceId, reason, null), STOP_PATIENCE.plus(STOP_PATIENCE));
    }

    private Instance terminateHere(String instanceId, String reason) {
        gate.enter();
        try {
            StoredInstance instance = stored(instanceId);
            String why = reason == null || reason.isBlank() ? "shutdown" : reason;
            if (transitions.putIfAbsent(instanceId, InstanceState.STOPPING) != null) {
                throw PlinthException.conflict("instance " + instanceId + " is already " + transitions.get(instanceId).name().toLowerCase());
            }
            boolean agreed = false;
            try {
                publish(instance, InstanceState.STOPPING, why);
                agreed = harness.stop(instanceId, why, STOP_PATIENCE);
            } finally {
                if (!agreed) {
                    transitions.remove(instanceId, InstanceState.STOPPING);
                }
            }
            if (!agreed) {
                publish(instance, harness.state(instanceId), "refused to terminate");
                throw new PlinthException(Reason.REFUSED, "instance " + instanceId + " refused to terminate");
            }
            return ended(instanceId, end(instanceId, why));
        } finally {
            gate.exit();
        }
    }

    @Override
    public Instance destroy(String instanceId, String reason, Duration grace) {
        String host = remoteHost(instanceId);
        return host == null ? destroyHere(instanceId, reason, grace)
                : forwardOne(host, Operation.ending(Kind.DESTROY, instanceId, reason, grace),
                        (grace == null ? STOP_PATIENCE : grace).plus(STOP_PATIENCE));
    }

    private Instance destroyHere(String instanceId, String reason, Duration grace) {
        gate.enter();
        try {
            return destroyNow(instanceId, reason, grace);
        } finally {
            gate.exit();
        }
    }

    /** Destroy without the gate: also used while draining, to propagate ends to linked instances. */
    private Instance destroyNow(String instanceId, String reason, Duration grace) {
        StoredInstance instance = stored(instanceId);
        String why = reason == null || reason.isBlank() ? "killed" : reason;
        transitions.put(instanceId, InstanceState.DESTROYING);
        publish(instance, InstanceState.DESTROYING, why);
        harness.destroy(instanceId, why, grace == null ? STOP_PATIENCE : grace);
        return ended(instanceId, end(instanceId, why));
    }

    /** The instance that ended, or NOT_FOUND when something else ended it first. */
    private static Instance ended(String instanceId, Instance ended) {
        if (ended == null) {
            throw PlinthException.notFound("instance " + instanceId + " ended in the meantime");
        }
        return ended;
    }

    /**
     * Removes an instance for good: desired state, configuration (so its component deactivates),
     * links and monitors, telling the watchers and destroying linked instances.
     */
    private Instance end(String instanceId, String reason) {
        StoredInstance instance;
        List<String> linked = new ArrayList<>();
        List<String> watchers = new ArrayList<>();
        synchronized (this) {
            instance = findStored(instanceId);
            if (instance == null) {
                transitions.remove(instanceId);
                return null;
            }
            List<StoredInstance> instances = new ArrayList<>(state.instances());
            instances.remove(instance);
            List<Pair> links = new ArrayList<>();
            for (Pair link : state.links()) {
                if (link.involves(instanceId)) {
                    linked.add(link.other(instanceId));
                } else {
                    links.add(link);
                }
            }
            List<Pair> monitors = new ArrayList<>();
            for (Pair monitor : state.monitors()) {
                if (monitor.second().equals(instanceId)) {
                    watchers.add(monitor.first());
                } else if (!monitor.first().equals(instanceId)) {
                    monitors.add(monitor);
                }
            }
            save(new ControllerState(state.types(), instances, links, monitors));
        }
        try {
            deleteConfiguration(instanceId);
            awaitGone(instanceId);
        } finally {
            transitions.remove(instanceId);
            tellOthers(instanceId, reason, linked, watchers);
        }
        LOG.info("Instance {} of {}/{} ended: {}", instanceId, instance.type(), instance.version(), reason);
        return new Instance(instance.id(), instance.type(), instance.version(), instance.node(),
                InstanceState.DESTROYED, instance.configuration(), instance.groups(), linked,
                Instant.ofEpochMilli(instance.createdMillis()));
    }

    /** Tells the monitors, and destroys linked instances unless the end was normal. */
    private void tellOthers(String instanceId, String reason, List<String> linked, List<String> watchers) {
        for (String watcher : watchers) {
            notifyWatcher(watcher, instanceId, reason);
        }
        if (!NORMAL.equals(reason)) {
            for (String other : linked) {
                try {
                    propagation.execute(() -> destroyLinked(other, instanceId, reason));
                } catch (RejectedExecutionException e) {
                    destroyLinked(other, instanceId, reason); // draining for a live update: do it now
                }
            }
        }
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    private void awaitGone(String instanceId) {
        // Destroyed means every trace is gone: the harness and the hub have both let go of it. (The
        // framework drops a service from its registry before it tells the trackers, so the
        // registry alone cannot say when they are done.)
        if (awaitHarness(instanceId, System.nanoTime() + STOP_PATIENCE.toNanos(),
                state -> state == InstanceState.NONE && !hubKnows(instanceId)) != InstanceState.NONE) {
            LOG.warn("Instance {} still runs {} after its configuration was removed", instanceId, STOP_PATIENCE);
        }
    }

    private void destroyLinked(String instanceId, String cause, String reason) {
        String why = "linked " + cause + ": " + reason;
        try {
            if (isDesired(instanceId)) {
                destroyNow(instanceId, why, LINK_GRACE);
                return;
            }
            String host = peers.hostOf(instanceId);
            if (host != null && peers.inView(host)) {
                peers.forward(host, Operation.ending(Kind.DESTROY, instanceId, why, LINK_GRACE), LINK_GRACE.plus(STOP_PATIENCE));
            }
        } catch (PlinthException e) {
            LOG.warn("Could not destroy {} linked to {}: {}", instanceId, cause, e.getMessage());
        }
    }

    private void notifyWatcher(String watcher, String ended, String reason) {
        try {
            hub.get().cast(Request.to(Target.instance(watcher)).operation(DOWN)
                    .input("instance", ended).input("reason", reason).caller("controller").build());
        } catch (PlinthException e) {
            LOG.info("Monitor {} of {} could not be told: {}", watcher, ended, e.getMessage());
        }
    }

    private boolean hubKnows(String instanceId) {
        try {
            hub.get().attributes(Target.instance(instanceId));
            return true;
        } catch (PlinthException e) {
            return e.reason() != Reason.NOT_FOUND;
        }
    }

    private void deleteConfiguration(String instanceId) {
        try {
            Configuration configuration = configurationOf(instanceId);
            if (configuration != null) {
                configuration.delete();
            }
        } catch (IOException e) {
            throw new PlinthException(Reason.FAILED, "cannot remove the configuration of " + instanceId + ": " + e.getMessage(), e);
        }
    }

    private Configuration configurationOf(String instanceId) throws IOException {
        try {
            Configuration[] found = configurations.listConfigurations("(" + ComponentConstants.INSTANCE_ID + "=" + instanceId + ")");
            return found == null || found.length == 0 ? null : found[0];
        } catch (InvalidSyntaxException e) {
            throw PlinthException.invalid("bad instance id " + instanceId);
        }
    }

    /** Every instance of the cluster: each node in view says how its own do; those of nodes out of view show as {@code NONE}. */
    @Override
    public List<Instance> instances() {
        List<Instance> all = new ArrayList<>(localInstances());
        hostedElsewhere().forEach((host, hosted) -> all.addAll(instancesOf(host, hosted)));
        return all.stream().sorted(Comparator.comparing(Instance::created).thenComparing(Instance::id)).toList();
    }

    @Override
    public List<Instance> instancesOn(String node) {
        if (node == null || node.isBlank()) {
            throw PlinthException.invalid("a node name is needed");
        }
        if (node.equals(peers.localNode())) {
            return localInstances();
        }
        List<StoredInstance> hosted = hostedElsewhere().get(node);
        if (hosted == null && !peers.inView(node)) {
            throw PlinthException.notFound("no node " + node + " is known to host instances");
        }
        return instancesOf(node, hosted == null ? List.of() : hosted);
    }

    /** The instances other nodes host, as this node knows them, by node. */
    private Map<String, List<StoredInstance>> hostedElsewhere() {
        Map<String, List<StoredInstance>> byHost = new java.util.TreeMap<>();
        peers.instances().values().stream().filter(i -> !isDesired(i.id()))
                .forEach(i -> byHost.computeIfAbsent(i.node(), host -> new ArrayList<>()).add(i));
        return byHost;
    }

    /** A node's instances as it tells them, or as last heard when it is out of view or silent. */
    private List<Instance> instancesOf(String host, List<StoredInstance> hosted) {
        if (peers.inView(host)) {
            try {
                return peers.forward(host, Operation.on(Kind.LIST, null), LIST_PATIENCE);
            } catch (PlinthException e) {
                LOG.info("Node {} did not list its instances: {}", host, e.getMessage());
            }
        }
        return hosted.stream().map(Controller::outOfView).toList();
    }

    private List<Instance> localInstances() {
        return state.instances().stream().sorted(Comparator.comparing(StoredInstance::createdMillis)).map(this::view).toList();
    }

    @Override
    public Instance instance(String instanceId) {
        if (isDesired(instanceId)) {
            return view(stored(instanceId));
        }
        StoredInstance elsewhere = peers.instances().get(instanceId);
        if (elsewhere != null && !peers.inView(elsewhere.node())) {
            return outOfView(elsewhere);
        }
        return forwardOne(remoteHost(instanceId), Operation.on(Kind.INSTANCE, instanceId), LIST_PATIENCE);
    }

    /** An instance on a node out of the view: desired, state unknown here. */
    private static Instance outOfView(StoredInstance instance) {
        return new Instance(instance.id(), instance.type(), instance.version(), instance.node(), InstanceState.NONE,
                instance.configuration(), instance.groups(), List.of(), Instant.ofEpochMilli(instance.createdMillis()));
    }

    /**
     * The node hosting an instance when that is another node (null for this one, unless it is
     * moving away); NOT_FOUND or UNAVAILABLE when it cannot be reached.
     */
    private String remoteHost(String instanceId) {
        if (isDesired(instanceId)) {
            return peers.movingTo(instanceId); // while it moves away, its new copy is the one to act on
        }
        String host = peers.locate(instanceId);
        if (host == null) {
            throw PlinthException.notFound("no instance " + instanceId);
        }
        if (!peers.inView(host)) {
            throw new PlinthException(Reason.UNAVAILABLE, "instance " + instanceId + " is on node " + host + ", which is not in the cluster's view");
        }
        return host;
    }

    private Instance forwardOne(String host, Operation operation, Duration patience) {
        return peers.forward(host, operation, patience).get(0);
    }

    private StoredInstance stored(String instanceId) {
        StoredInstance instance = findStored(instanceId);
        if (instance == null) {
            throw PlinthException.notFound("no instance " + instanceId);
        }
        return instance;
    }

    /** The desired instance of this node with that id, or null. */
    private StoredInstance findStored(String instanceId) {
        return state.instances().stream().filter(i -> i.id().equals(instanceId)).findFirst().orElse(null);
    }

    private boolean isDesired(String instanceId) {
        return findStored(instanceId) != null;
    }

    private Instance view(StoredInstance instance) {
        InstanceState current = transitions.get(instance.id());
        if (current == null) {
            current = harness.state(instance.id());
            if (current == InstanceState.NONE) {
                current = InstanceState.INITIALIZING;
            }
        }
        List<String> links = state.links().stream().filter(l -> l.involves(instance.id())).map(l -> l.other(instance.id())).toList();
        return new Instance(instance.id(), instance.type(), instance.version(), instance.node(), current,
                instance.configuration(), instance.groups(), links, Instant.ofEpochMilli(instance.createdMillis()));
    }

    // --- links and monitors -------------------------------------------------------------------

    @Override
    public void link(String instanceId, String otherInstanceId) {
        changePairs(instanceId, otherInstanceId, true, true);
    }

    @Override
    public void unlink(String instanceId, String otherInstanceId) {
        changePairs(instanceId, otherInstanceId, true, false);
    }

    @Override
    public void monitor(String watcherInstanceId, String targetInstanceId) {
        changePairs(watcherInstanceId, targetInstanceId, false, true);
    }

    @Override
    public void demonitor(String watcherInstanceId, String targetInstanceId) {
        changePairs(watcherInstanceId, targetInstanceId, false, false);
    }

    /** Records a link or monitor on the nodes of both instances (each keeps those that involve its own). */
    private void changePairs(String first, String second, boolean links, boolean add) {
        if (first.equals(second)) {
            throw PlinthException.invalid("an instance cannot " + (links ? "link to" : "monitor") + " itself");
        }
        Set<String> hosts = new java.util.TreeSet<>();
        for (String instanceId : List.of(first, second)) {
            String host = remoteHost(instanceId);
            hosts.add(host == null ? peers.localNode() : host);
        }
        for (String host : hosts) {
            if (host.equals(peers.localNode())) {
                changePairsHere(first, second, links, add);
            } else {
                peers.forward(host, Operation.pair(first, second, links, add), LIST_PATIENCE);
            }
        }
    }

    private void changePairsHere(String first, String second, boolean links, boolean add) {
        gate.enter();
        try {
            if (!isDesired(first) && !isDesired(second)) {
                throw PlinthException.notFound("neither " + first + " nor " + second + " is on this node");
            }
            for (String instanceId : List.of(first, second)) {
                if (!isDesired(instanceId) && peers.locate(instanceId) == null) {
                    throw PlinthException.notFound("no instance " + instanceId);
                }
            }
            synchronized (this) {
                List<Pair> pairs = new ArrayList<>(links ? state.links() : state.monitors());
                pairs.removeIf(p -> p.first().equals(first) && p.second().equals(second)
                        || links && p.first().equals(second) && p.second().equals(first));
                if (add) {
                    pairs.add(new Pair(first, second));
                }
                save(links ? new ControllerState(state.types(), state.instances(), pairs, state.monitors())
                        : new ControllerState(state.types(), state.instances(), state.links(), pairs));
            }
        } finally {
            gate.exit();
        }
    }

    // --- the cluster ----------------------------------------------------------------------------

    /** What the other nodes' controllers (through {@link Peers}) may do here. */
    private final class PeerSide implements Peers.Local {

        @Override
        public ControllerState state() {
            return state;
        }

        @Override
        public Answer handle(String fromNode, Operation operation) {
            String self = peers.localNode();
            boolean placement = operation.kind() == Kind.CREATE || operation.kind() == Kind.ADOPT || operation.kind() == Kind.MOVE;
            if (placement && peers.draining(self)) {
                throw PlinthException.conflict("node " + self + " is being decommissioned: it takes no new instance");
            }
            String movedTo = operation.instanceId() == null ? null : peers.movingTo(operation.instanceId());
            boolean ending = operation.kind() == Kind.TERMINATE || operation.kind() == Kind.DESTROY || operation.kind() == Kind.PAIR;
            if (movedTo != null && ending) {
                // Its new copy is the one to end or pair.
                Duration grace = operation.grace() == null ? STOP_PATIENCE : operation.grace();
                return Answer.of(peers.forward(movedTo, operation, grace.plus(STOP_PATIENCE)));
            }
            return switch (operation.kind()) {
                case CREATE -> Answer.of(createHere(operation.spec().spec()));
                case INSTANCE -> Answer.of(List.of(view(stored(operation.instanceId()))));
                case LIST -> Answer.of(localInstances());
                case TERMINATE -> Answer.of(List.of(terminateHere(operation.instanceId(), operation.reason())));
                case DESTROY -> Answer.of(List.of(destroyHere(operation.instanceId(), operation.reason(), operation.grace())));
                case PAIR -> {
                    changePairsHere(operation.instanceId(), operation.otherId(), operation.links(), operation.add());
                    yield Answer.of(List.of());
                }
                case ADOPT, MOVE -> Answer.of(List.of(adopt(operation)));
            };
        }

        @Override
        public void moved(String instanceId, String node) {
            relinquish(instanceId, node, "this node is decommissioned");
        }

        /**
         * Gives up local copies that another node's copy beats (this node failed, was replaced, and
         * came back), and forgets links and monitors that no longer involve any instance here or
         * whose other end that node no longer has, and no other node does either.
         */
        @Override
        public void peerChanged(Snapshot before, Snapshot theirs) {
            for (StoredInstance instance : theirs.instances()) {
                StoredInstance mine = findStored(instance.id());
                if (mine != null && instance.beats(mine) && peers.movingTo(mine.id()) == null) { // a move hands over in its own time
                    try {
                        propagation.execute(() -> relinquish(mine.id(), instance.node(),
                                "it was re-created there while this node was away"));
                    } catch (RejectedExecutionException e) {
                        LOG.info("Instance {} also runs on node {}; the successor of this controller gives it up", mine.id(), instance.node());
                    }
                }
            }
            Set<String> gone = new java.util.HashSet<>();
            if (before != null) {
                before.instances().forEach(instance -> gone.add(instance.id()));
            }
            gone.removeAll(peers.instances().keySet());
            synchronized (Controller.this) {
                java.util.function.Predicate<Pair> kept = pair -> !gone.contains(pair.first()) && !gone.contains(pair.second())
                        && (isDesired(pair.first()) || isDesired(pair.second()));
                List<Pair> links = state.links().stream().filter(kept).toList();
                List<Pair> monitors = state.monitors().stream().filter(kept).toList();
                if (links.size() != state.links().size() || monitors.size() != state.monitors().size()) {
                    save(new ControllerState(state.types(), state.instances(), links, monitors));
                }
            }
        }
    }

    /**
     * Takes over an instance of another node, with the same id, a higher generation, its links and
     * monitors: of a failed node (ADOPT), whose watchers hear it went down, or of a node being
     * decommissioned (MOVE), which stops its copy once this one runs: no watcher hears of that.
     * Does not wait for it to become available.
     */
    private Instance adopt(Operation operation) {
        boolean failedOver = operation.kind() == Kind.ADOPT;
        // Until this node's view has lost the failed node too, the hub keeps mirroring the
        // instance there, and fail-over must not run two copies at once.
        if (failedOver && !peers.awaitOutOfView(operation.otherId(), ADOPT_PATIENCE)) {
            throw new PlinthException(Reason.UNAVAILABLE, "node " + operation.otherId() + " is still in this node's view");
        }
        gate.enter();
        try {
            StoredInstance instance = operation.instance();
            synchronized (this) {
                StoredInstance mine = findStored(instance.id());
                if (mine != null && !instance.beats(mine)) {
                    return view(mine); // adopted already
                }
                List<StoredInstance> instances = new ArrayList<>(state.instances());
                instances.remove(mine);
                instances.add(instance);
                save(new ControllerState(state.types(), instances, merged(state.links(), operation.pairLinks()),
                        merged(state.monitors(), operation.pairMonitors())));
                transitions.put(instance.id(), InstanceState.PREPARING);
            }
            publish(instance, InstanceState.PREPARING, operation.reason());
            try {
                ensureRunning(instance);
            } finally {
                // When that failed, it stays desired; the next reconcile starts it again.
                transitions.remove(instance.id(), InstanceState.PREPARING);
            }
            if (failedOver) {
                operation.pairMonitors().stream().filter(pair -> pair.second().equals(instance.id()))
                        .forEach(pair -> notifyWatcher(pair.first(), instance.id(), operation.reason()));
            }
            LOG.info("Re-created instance {} of {}/{} here: {}", instance.id(), instance.type(), instance.version(), operation.reason());
            return view(instance);
        } finally {
            gate.exit();
        }
    }

    private static List<Pair> merged(List<Pair> mine, List<Pair> more) {
        List<Pair> all = new ArrayList<>(mine);
        more.stream().filter(pair -> !all.contains(pair)).forEach(all::add);
        return all;
    }

    /**
     * Ends the local copy of an instance another node now runs: quietly (no monitor or link hears
     * of it, since the instance lives on); links and monitors with instances here stay.
     */
    private void relinquish(String instanceId, String winner, String why) {
        synchronized (this) {
            if (!isDesired(instanceId)) {
                return;
            }
            transitions.put(instanceId, InstanceState.DESTROYING);
            save(new ControllerState(state.types(), state.instances().stream().filter(i -> !i.id().equals(instanceId)).toList(),
                    state.links(), state.monitors()));
        }
        try {
            deleteConfiguration(instanceId);
            // The harness only: the hub rightly goes on knowing the id, at its new node.
            awaitHarness(instanceId, System.nanoTime() + STOP_PATIENCE.toNanos(), current -> current == InstanceState.NONE);
        } finally {
            transitions.remove(instanceId);
        }
        LOG.info("Instance {} runs on node {} now ({}): stopped the copy here", instanceId, winner, why);
    }

    // --- events -------------------------------------------------------------------------------

    /** Hears the harness: an instance that ended without being asked to has crashed. */
    private void instanceEvent(InstanceEvent event) {
        synchronized (changes) {
            changes.notifyAll();
        }
        if (event.state() == InstanceState.DESTROYED && isDesired(event.instanceId())
                && !transitions.containsKey(event.instanceId())) {
            try {
                propagation.execute(() -> end(event.instanceId(), event.reason()));
            } catch (RejectedExecutionException e) {
                LOG.info("Instance {} ended while the controller was stopping; its successor will clean up", event.instanceId());
            }
        }
    }

    private void publish(StoredInstance instance, InstanceState newState, String reason) {
        listeners.publish(instance.id(), new InstanceEvent(instance.id(), instance.type(), instance.version(),
                newState, reason, Instant.now()));
    }

    private void save(ControllerState next) {
        store.write(next);
        state = next;
        peers.publish();
    }
}
