package io.plinth.impl.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.plinth.api.component.Component;
import io.plinth.api.component.ComponentConstants;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.hub.Hub;
import io.plinth.api.hub.HubEvent;
import io.plinth.api.hub.HubListener;
import io.plinth.api.hub.Member;
import io.plinth.api.hub.NameClaim;
import io.plinth.api.hub.NameOption;
import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Selector;
import io.plinth.api.hub.Target;
import io.plinth.support.Endpoints;
import io.plinth.support.Gate;
import io.plinth.support.Threads;
import io.plinth.support.JsonFile;
import io.plinth.support.Whiteboard;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The component hub of one node. Endpoints are the {@link Component} services in the OSGi
 * service registry; memberships, attributes and names live in a {@link Registry} that is handed
 * to the next hub when this bundle is replaced live.
 */
@org.osgi.service.component.annotations.Component(service = Hub.class, immediate = true)
public final class LocalHub implements Hub {

    private static final Logger LOG = LoggerFactory.getLogger(LocalHub.class);
    private static final Duration DRAIN_PATIENCE = Duration.ofSeconds(10);
    private static final long TRACKING_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int REMOTE_DELIVERY_THREADS = 16;

    /** Guards the changes of soft state, which must all be in the snapshot handed to the successor. */
    private final Gate gate = new Gate("the hub");
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /** Copies moving here from a node being decommissioned, until they have started (requests go to the old copy meanwhile). */
    private final Map<String, Endpoint> arriving = new ConcurrentHashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicLong correlationCounter = new AtomicLong();
    private final String correlationPrefix = UUID.randomUUID().toString() + "-";
    private final String node = System.getProperty("karaf.name", "root");

    private BundleContext context;
    private Whiteboard<HubListener, HubEvent> listeners;
    private Registry registry;
    private ServiceTracker<Component, Endpoint> tracker;
    private ExecutorService casts;
    /** Runs requests from other nodes for this node's instances. */
    private ExecutorService remoteDeliveries;
    private JsonFile<SoftState> handoff;
    private volatile boolean closing;
    private volatile ClusterSync cluster;

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        listeners = new Whiteboard<>(context, HubListener.class, HubListener.SUBJECT, HubListener::hubEvent);
        registry = new Registry(event -> {
            listeners.publish(event.subject(), event);
            ClusterSync sync = cluster;
            if (sync != null) {
                sync.registryChanged();
            }
        });
        casts = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), Threads.named("plinth-hub-cast"));
        tracker = new ServiceTracker<>(context, Endpoints.filter(context), new EndpointTracking());
        tracker.open();
        handoff = new JsonFile<>(context.getDataFile("soft-state.json").toPath(), SoftState.class);
        try {
            handoff.read().ifPresent(state -> {
                registry.restore(state, endpoints::containsKey);
                LOG.info("Hub took over {} groups and {} names from its predecessor", state.groups().size(), state.names().size());
            });
        } catch (RuntimeException e) {
            LOG.error("Hub could not take over its predecessor's soft state; owners will have to publish it again", e);
        } finally {
            handoff.delete();
        }
        remoteDeliveries = Executors.newFixedThreadPool(REMOTE_DELIVERY_THREADS, Threads.named("plinth-hub-remote"));
        cluster = new ClusterSync(context, registry, endpoints, remoteDeliveries, this::deliver);
    }

    /**
     * Refuses new requests (callers retry them on the successor), waits only for the changes of
     * soft state in flight, then hands the soft state over. Calls and casts under way are not
     * waited for: they only read, and may themselves wait for the successor (a component calling
     * the hub while it handles a call), which cannot start before this returns.
     */
    @Deactivate
    void deactivate() {
        closing = true;
        registry.wakeWaiters();
        if (!gate.closeAndDrain(DRAIN_PATIENCE)) {
            LOG.warn("Hub stopped with changes still in flight after {}", DRAIN_PATIENCE);
        }
        cluster.close();
        remoteDeliveries.shutdown();
        casts.shutdown();
        try {
            if (context.getBundle(0).getState() != Bundle.STOPPING) {
                // A live update: hand the soft state to the next hub. On shutdown owners re-publish it.
                handoff.write(registry.snapshot());
            }
        } finally {
            tracker.close();
            listeners.close();
        }
    }

    private void requireOpen() {
        if (closing) {
            throw new PlinthException(Reason.UNAVAILABLE, "the hub is being replaced");
        }
    }

    // --- groups -------------------------------------------------------------------------------

    @Override
    public int register(String instanceId, String group) {
        gate.enter();
        try {
            String name = requireName(group, "group");
            return changeOfLiveInstance(instanceId, () -> registry.join(instanceId, name));
        } finally {
            gate.exit();
        }
    }

    @Override
    public int unregister(String instanceId, String group) {
        gate.enter();
        try {
            Endpoint endpoint = instanceId == null ? null : arriving.getOrDefault(instanceId, endpoints.get(instanceId));
            if (endpoint != null) {
                requireLocal(endpoint);
            }
            return registry.leave(instanceId, requireName(group, "group"));
        } finally {
            gate.exit();
        }
    }

    @Override
    public Set<String> groups() {
        requireOpen();
        return registry.groups();
    }

    @Override
    public List<Member> members(String group) {
        requireOpen();
        return registry.members(group).stream().map(endpoints::get).filter(e -> e != null).map(this::member).toList();
    }

    @Override
    public List<Member> select(String group, Selector selector) {
        requireOpen();
        return selectEndpoints(group, selector).stream().map(this::member).toList();
    }

    @Override
    public Member awaitMember(String group, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        requireOpen();
        try {
            Optional<String> found = registry.awaitMember(requireName(group, "group"), this::usable, deadline, () -> !closing);
            Endpoint endpoint = found.map(endpoints::get).orElse(null);
            if (endpoint != null) {
                return member(endpoint);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlinthException(Reason.TIMEOUT, "interrupted while waiting for a member of " + group);
        }
        requireOpen();
        throw new PlinthException(Reason.TIMEOUT, "no member joined group " + group + " within " + timeout.toMillis() + " ms");
    }

    // --- call and cast ------------------------------------------------------------------------

    @Override
    public List<Reply> call(Request request) {
        requireOpen();
        Request stamped = stamp(request);
        List<Endpoint> receivers = receivers(stamped);
        boolean toAll = stamped.target().kind() == Target.Kind.GROUP && stamped.selector().kind() == Selector.Kind.ALL;
        if (!toAll) {
            return List.of(awaitReply(receivers.get(0), stamped, deliver(receivers.get(0), stamped), true));
        }
        List<CompletableFuture<Reply>> pending = new ArrayList<>(receivers.size());
        for (Endpoint receiver : receivers) {
            pending.add(deliver(receiver, stamped));
        }
        List<Reply> replies = new ArrayList<>(receivers.size());
        for (int i = 0; i < receivers.size(); i++) {
            replies.add(awaitReply(receivers.get(i), stamped, pending.get(i), false));
        }
        return replies;
    }

    @Override
    public void cast(Request request) {
        requireOpen();
        Request stamped = stamp(request);
        for (Endpoint receiver : receivers(stamped)) {
            if (receiver.component() instanceof RemoteComponent remote) {
                remote.cast(stamped); // its node delivers it, and logs what fails there
                continue;
            }
            try {
                casts.execute(() -> logFailure(receiver, stamped, deliver(receiver, stamped)));
            } catch (RejectedExecutionException e) {
                // This hub is being replaced mid-cast: deliver here rather than have the retry deliver twice.
                logFailure(receiver, stamped, deliver(receiver, stamped));
            }
        }
    }

    /** Nobody waits for a cast's answer, so a failure is only logged. */
    private static void logFailure(Endpoint receiver, Request request, CompletableFuture<Reply> answer) {
        answer.whenComplete((reply, failure) -> {
            if (failure != null || reply != null && reply.failed()) {
                LOG.info("Cast {} to {} failed: {}", request.operation(), receiver.instanceId(),
                        failure != null ? failure.toString() : reply.error());
            }
        });
    }

    private Request stamp(Request request) {
        if (request.expired()) {
            throw new PlinthException(Reason.TIMEOUT, "the request to " + request.target() + " expired before it was sent");
        }
        return request.correlation().isEmpty()
                ? request.withCorrelation(correlationPrefix + correlationCounter.incrementAndGet())
                : request;
    }

    private List<Endpoint> receivers(Request request) {
        Target target = request.target();
        switch (target.kind()) {
            case INSTANCE:
                return List.of(requireEndpoint(target.name()));
            case NAME:
                String owner = registry.nameQueue(target.name()).stream().findFirst()
                        .orElseThrow(() -> PlinthException.notFound("nobody owns the name " + target.name()));
                return List.of(requireEndpoint(owner));
            default:
                List<Endpoint> selected = selectEndpoints(target.name(), request.selector());
                if (selected.isEmpty()) {
                    throw PlinthException.notFound("group " + target.name() + " has no available member");
                }
                return selected;
        }
    }

    /** Hands the request to the component on the caller's thread; the component answers when it likes. */
    private CompletableFuture<Reply> deliver(Endpoint receiver, Request request) {
        MDC.put(ComponentConstants.MDC_INSTANCE, receiver.instanceId());
        try {
            return receiver.component().handle(request).toCompletableFuture();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Instance {} failed on {}", receiver.instanceId(), request.operation(), e);
            return CompletableFuture.completedFuture(Reply.error("component failed: " + e));
        } finally {
            MDC.remove(ComponentConstants.MDC_INSTANCE);
        }
    }

    private Reply awaitReply(Endpoint receiver, Request request, CompletableFuture<Reply> answer, boolean timeoutFails) {
        Reply reply;
        try {
            long left = request.expiry().toEpochMilli() - System.currentTimeMillis();
            reply = answer.isDone() ? answer.get() : answer.get(Math.max(0, left), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (timeoutFails) {
                throw new PlinthException(Reason.TIMEOUT, "instance " + receiver.instanceId() + " did not answer "
                        + request.operation() + " before the request expired");
            }
            reply = Reply.error("timeout: no answer before the request expired");
        } catch (ExecutionException e) {
            reply = Reply.error("component failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlinthException(Reason.TIMEOUT, "interrupted while waiting for " + receiver.instanceId());
        }
        return (reply == null ? Reply.error("component answered nothing") : reply)
                .from(receiver.instanceId(), request.correlation());
    }

    private List<Endpoint> selectEndpoints(String group, Selector selector) {
        List<Endpoint> usable = new ArrayList<>();
        for (String id : registry.members(group)) {
            Endpoint endpoint = endpoints.get(id);
            if (endpoint != null && usable(id)) {
                usable.add(endpoint);
            }
        }
        if (usable.isEmpty() || selector.kind() == Selector.Kind.ALL) {
            return usable;
        }
        switch (selector.kind()) {
            case LOCAL:
                List<Endpoint> local = usable.stream().filter(e -> node.equals(e.node())).toList();
                return List.of(pick(local.isEmpty() ? usable : local));
            case LEAST_LOADED:
                return List.of(usable.stream().min(Comparator.comparingDouble(e -> load(e, selector.attribute()))).orElseThrow());
            default:
                return List.of(pick(usable));
        }
    }

    private Endpoint pick(List<Endpoint> candidates) {
        return candidates.get(Math.floorMod(roundRobin.getAndIncrement(), candidates.size()));
    }

    private double load(Endpoint endpoint, String attribute) {
        String value = registry.attributes(Target.instance(endpoint.instanceId())).get(attribute);
        if (value == null) {
            return 0;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.MAX_VALUE;
        }
    }

    /** Whether selectors may pick an instance: it is there, available, and not on a node marked unavailable. */
    private boolean usable(String instanceId) {
        Endpoint endpoint = endpoints.get(instanceId);
        ClusterSync sync = cluster;
        return endpoint != null && !"false".equals(registry.attributes(Target.instance(instanceId)).get(AVAILABLE_ATTRIBUTE))
                && (sync == null || !sync.onUnavailableNode(endpoint));
    }

    // --- attributes and names -----------------------------------------------------------------

    @Override
    public void putAttribute(Target target, String name, String value) {
        gate.enter();
        try {
            requireName(name, "attribute");
            if (name.startsWith(RESERVED_PREFIX)) {
                throw PlinthException.invalid("attribute names starting with " + RESERVED_PREFIX + " are the platform's");
            }
            if (target.kind() == Target.Kind.INSTANCE) {
                changeOfLiveInstance(target.name(), () -> {
                    registry.putAttribute(target, name, value);
                    return null;
                });
            } else {
                requireExisting(target);
                registry.putAttribute(target, name, value);
            }
        } finally {
            gate.exit();
        }
    }

    @Override
    public void setAvailable(String instanceId, boolean available) {
        gate.enter();
        try {
            changeOfLiveInstance(instanceId, () -> {
                registry.putAttribute(Target.instance(instanceId), AVAILABLE_ATTRIBUTE, available ? null : "false");
                registry.wakeWaiters();
                return null;
            });
            if (available) {
                arrived(instanceId);
            }
        } finally {
            gate.exit();
        }
    }

    @Override
    public Map<String, String> attributes(Target target) {
        requireOpen();
        requireExisting(target);
        return registry.attributes(target);
    }

    @Override
    public NameClaim claimName(String name, String instanceId, NameOption option) {
        gate.enter();
        try {
            String checked = requireName(name, "name");
            return changeOfLiveInstance(instanceId,
                    () -> registry.claim(checked, instanceId, option == null ? NameOption.DO_NOT_QUEUE : option));
        } finally {
            gate.exit();
        }
    }

    @Override
    public void releaseName(String name, String instanceId) {
        gate.enter();
        try {
            registry.release(requireName(name, "name"), instanceId);
        } finally {
            gate.exit();
        }
    }

    @Override
    public Optional<String> nameOwner(String name) {
        requireOpen();
        return registry.nameQueue(name).stream().findFirst();
    }

    @Override
    public List<String> nameQueue(String name) {
        requireOpen();
        return registry.nameQueue(name);
    }

    // --- helpers ------------------------------------------------------------------------------

    private Member member(Endpoint endpoint) {
        String id = endpoint.instanceId();
        return new Member(id, endpoint.type(), endpoint.version(), endpoint.node(), registry.groupsOf(id),
                registry.attributes(Target.instance(id)));
    }

    private Endpoint requireEndpoint(String instanceId) {
        Endpoint endpoint = instanceId == null ? null : endpoints.get(instanceId);
        if (endpoint == null && registered(instanceId)) {
            // Registered an instant ago: the framework is still telling the tracker on another thread.
            long deadline = System.nanoTime() + TRACKING_PATIENCE_NANOS;
            while ((endpoint = endpoints.get(instanceId)) == null && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }
        if (endpoint == null) {
            throw PlinthException.notFound("no instance " + instanceId + " on this hub");
        }
        return endpoint;
    }

    /**
     * Changes soft state about an instance only while it is alive: the check and the change are
     * atomic with {@link Registry#forget}, so a dead instance can never be left owning a name or
     * belonging to a group.
     */
    private <T> T changeOfLiveInstance(String instanceId, java.util.function.Supplier<T> change) {
        requireLocal(ownEndpoint(instanceId));
        synchronized (registry) {
            if (!endpoints.containsKey(instanceId) && !arriving.containsKey(instanceId)) {
                throw PlinthException.notFound("instance " + instanceId + " has just gone away");
            }
            return change.get();
        }
    }

    /**
     * The endpoint of an instance changing its own soft state: a copy moving here while it starts,
     * else the one requests go to. The framework may tell this hub of the new copy's registration
     * a moment after the harness starts it (on another listener of the same event): then the old
     * copy's endpoint is still there, and this waits a little for the new one.
     */
    private Endpoint ownEndpoint(String instanceId) {
        Endpoint movingHere = instanceId == null ? null : arriving.get(instanceId);
        if (movingHere != null) {
            return movingHere; // even once the old copy is gone from this hub
        }
        Endpoint endpoint = requireEndpoint(instanceId);
        if (!onDrainingNode(endpoint) || !registered(instanceId)) {
            return endpoint;
        }
        long deadline = System.nanoTime() + TRACKING_PATIENCE_NANOS;
        Endpoint arrived;
        while ((arrived = arriving.get(instanceId)) == null && (endpoint = endpoints.get(instanceId)) != null && endpoint.remote()
                && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        return arrived != null ? arrived : requireEndpoint(instanceId);
    }

    /** Whether an endpoint is a copy on a node being decommissioned, which may be moving here. */
    private boolean onDrainingNode(Endpoint endpoint) {
        ClusterSync sync = cluster;
        return endpoint.remote() && sync != null && sync.onDrainingNode(endpoint);
    }

    /** A copy that moved here has started: requests go to it from now on, here and (once published) everywhere. */
    private void arrived(String instanceId) {
        synchronized (registry) {
            Endpoint arrived = arriving.remove(instanceId);
            if (arrived != null) {
                endpoints.put(instanceId, arrived);
                ClusterSync sync = cluster;
                if (sync != null) {
                    sync.registryChanged();
                }
            }
        }
    }

    /** The soft state of an instance is its own node's to change: the others mirror it. */
    private static void requireLocal(Endpoint endpoint) {
        if (endpoint.remote()) {
            throw PlinthException.conflict("instance " + endpoint.instanceId() + " lives on node " + endpoint.node() + "; change it there");
        }
    }

    private boolean registered(String instanceId) {
        try {
            return context.getServiceReferences(Component.class,
                    "(" + ComponentConstants.INSTANCE_ID + "=" + instanceId + ")").size() > 0;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            return false;
        }
    }

    private void requireExisting(Target target) {
        switch (target.kind()) {
            case INSTANCE -> requireEndpoint(target.name());
            case GROUP -> {
                if (registry.members(target.name()).isEmpty()) {
                    throw PlinthException.notFound("group " + target.name() + " has no member");
                }
            }
            default -> throw PlinthException.invalid("names carry no attributes; address the owner's instance instead");
        }
    }

    private static String requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw PlinthException.invalid("the " + what + " name is empty");
        }
        return value;
    }

    /** Follows Component services that carry an instance id. */
    private final class EndpointTracking implements org.osgi.util.tracker.ServiceTrackerCustomizer<Component, Endpoint> {

        @Override
        public Endpoint addingService(ServiceReference<Component> reference) {
            Component component = context.getService(reference);
            if (component == null) {
                return null;
            }
            Endpoint endpoint = new Endpoint(Endpoints.text(reference, ComponentConstants.INSTANCE_ID),
                    Endpoints.text(reference, ComponentConstants.TYPE), Endpoints.text(reference, ComponentConstants.VERSION),
                    node, component);
            synchronized (registry) {
                Endpoint current = endpoints.get(endpoint.instanceId());
                if (current != null && onDrainingNode(current)) {
                    // Moving here from a node being decommissioned: requests go on to the old copy
                    // until this one has started; the groups and attributes mirrored carry over.
                    arriving.put(endpoint.instanceId(), endpoint);
                    return endpoint;
                }
                endpoints.put(endpoint.instanceId(), endpoint);
                ClusterSync sync = cluster;
                if (sync != null) {
                    sync.registryChanged(); // even without groups or attributes, the other nodes learn of it
                }
            }
            return endpoint;
        }

        @Override
        public void modifiedService(ServiceReference<Component> reference, Endpoint endpoint) {
        }

        @Override
        public void removedService(ServiceReference<Component> reference, Endpoint endpoint) {
            boolean neverTookOver = arriving.remove(endpoint.instanceId(), endpoint); // the old copy still serves
            if (!neverTookOver && !closing) {
                synchronized (registry) {
                    // Forgotten first: whoever sees the endpoint gone (a destroy waiting for it) sees
                    // its names handed over and its groups left too.
                    registry.forget(endpoint.instanceId());
                    endpoints.remove(endpoint.instanceId(), endpoint);
                    ClusterSync sync = cluster;
                    if (sync != null) {
                        sync.localInstanceGone(endpoint.instanceId());
                    }
                }
            }
            context.ungetService(reference);
        }
    }
}
