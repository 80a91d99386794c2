package io.plinth.impl.harness;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.plinth.api.component.Component;
import io.plinth.api.component.ComponentConstants;
import io.plinth.api.component.ComponentContext;
import io.plinth.api.component.Harness;
import io.plinth.api.component.InstanceEvent;
import io.plinth.api.component.InstanceListener;
import io.plinth.api.component.InstanceState;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.hub.Hub;
import io.plinth.api.pki.AgentCertificates;
import io.plinth.impl.harness.apart.LiveContext;
import io.plinth.support.Endpoints;
import io.plinth.support.FrameworkShared;
import io.plinth.support.LoadedApart;
import io.plinth.support.ServiceProxy;
import io.plinth.support.Threads;
import io.plinth.support.Whiteboard;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java component harness of a node (seed §4.6.2): starts every {@link Component} service that
 * carries an instance id, joins it to its groups, follows its availability, asks it to stop, and
 * reports each state as an {@link InstanceEvent}.
 * <p>
 * A live update of this bundle leaves the instances running: the retiring revision hands each one
 * over (its state, in the bundle's {@link FrameworkShared} map) and the next adopts it without
 * starting it again. Components hold a {@link LiveContext}, which reaches the context of whichever
 * revision runs them now, and the framework, not this bundle, holds their services.
 */
@org.osgi.service.component.annotations.Component(service = Harness.class, immediate = true)
public final class ComponentHarness implements Harness {

    private static final Logger LOG = LoggerFactory.getLogger(ComponentHarness.class);
    private static final Duration HUB_PATIENCE = Duration.ofSeconds(30);
    /** How long a retiring revision lets starts under way finish before it hands the instances over. */
    private static final long HANDOVER_PATIENCE_SECONDS = 30;

    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private BundleContext context;
    /** The framework's own context: it holds the components' services, so that an update of this bundle does not release them. */
    private BundleContext framework;
    private ConcurrentMap<String, Object> shared;
    private LoadedApart apart;
    private ServiceProxy<Hub> hub;
    private Whiteboard<InstanceListener, InstanceEvent> listeners;
    private ExecutorService lifecycle;
    private ServiceTracker<Component, Running> tracker;
    /** The node's certificate manager, for the instances' certificates (absent: they get none). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AgentCertificates certificates;

    /** One started (or starting) instance. */
    private static final class Running {
        final String instanceId;
        final String type;
        final String version;
        final Component component;
        final List<String> groups;
        volatile InstanceContext context;
        volatile InstanceState state = InstanceState.INITIALIZING;
        volatile String stopReason;
        /** Marked unavailable by the component itself (possibly while it starts). */
        volatile boolean markedUnavailable;

        Running(String instanceId, String type, String version, Component component, List<String> groups) {
            this.instanceId = instanceId;
            this.type = type;
            this.version = version;
            this.component = component;
            this.groups = groups;
        }
    }

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        framework = bundleContext.getBundle(Constants.SYSTEM_BUNDLE_ID).getBundleContext();
        shared = FrameworkShared.of(bundleContext);
        apart = new LoadedApart(bundleContext.getDataFile("live-context").toPath(), ComponentContext.class.getClassLoader(),
                List.of(LiveContext.class));
        hub = new ServiceProxy<>(context, Hub.class, HUB_PATIENCE);
        listeners = new Whiteboard<>(context, InstanceListener.class, InstanceListener.INSTANCE, InstanceListener::instanceEvent);
        lifecycle = Executors.newCachedThreadPool(Threads.named("plinth-harness"));
        tracker = new ServiceTracker<>(context, Endpoints.filter(context), new Starter());
        tracker.open();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        lifecycle.shutdown(); // starts under way finish first: what is handed over is settled
        lifecycle.awaitTermination(HANDOVER_PATIENCE_SECONDS, TimeUnit.SECONDS);
        tracker.close();
        listeners.close();
        hub.close();
    }

    @Override
    public InstanceState state(String instanceId) {
        Running instance = running.get(instanceId);
        return instance == null ? InstanceState.NONE : instance.state;
    }

    @Override
    public boolean stop(String instanceId, String reason, Duration timeout) {
        Running instance = running.get(instanceId);
        if (instance == null) {
            return true;
        }
        boolean agreed = ask(instance, reason, timeout);
        if (agreed) {
            instance.stopReason = reason;
        }
        return agreed;
    }

    @Override
    public void destroy(String instanceId, String reason, Duration grace) {
        Running instance = running.get(instanceId);
        if (instance != null) {
            instance.stopReason = reason;
            unavailableBeforeStop(instanceId);
            ask(instance, reason, grace);
        }
    }

    /** Selectors (and the gateway) stop choosing it before it is asked to stop, so new work goes elsewhere. */
    private void unavailableBeforeStop(String instanceId) {
        try {
            hub.get().setAvailable(instanceId, false);
        } catch (RuntimeException e) {
            // Not in the hub (it never started) or no hub now: it is destroyed all the same.
            LOG.debug("Could not mark instance {} unavailable before destroying it: {}", instanceId, e.toString());
        }
    }

    /** What the component answers to a request to stop; no answer in time counts as a refusal. */
    private boolean ask(Running instance, String reason, Duration timeout) {
        CompletableFuture<Boolean> answer;
        try {
            answer = CompletableFuture.supplyAsync(() -> instance.component.stop(reason), lifecycle);
        } catch (RejectedExecutionException stopping) { // this revision is being replaced: its successor asks
            throw new PlinthException(Reason.UNAVAILABLE, "the harness is being replaced");
        }
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            LOG.warn("Instance {} failed while stopping", instance.instanceId, e.getCause());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** This revision's context for an instance, where the instance's {@link LiveContext} finds it. */
    private void attachContext(Running instance, Map<String, String> configuration) {
        instance.context = new InstanceContext(instance.instanceId, instance.type, instance.version, configuration,
                hub.get(), this::availabilityChanged, InstanceIdentity.forInstance(() -> certificates, instance.instanceId, instance.type,
                instance.version));
        shared.put(contextKey(instance.instanceId), instance.context);
    }

    private static String contextKey(String instanceId) {
        return "context:" + instanceId;
    }

    private static String handoverKey(String instanceId) {
        return "running:" + instanceId;
    }

    private void start(Running instance, Map<String, String> configuration) {
        attachContext(instance, configuration);
        publish(instance, InstanceState.INITIALIZING, "started"); // the state it was created in
        try {
            instance.component.start((ComponentContext) Proxy.newProxyInstance(ComponentContext.class.getClassLoader(),
                    new Class<?>[] {ComponentContext.class},
                    (InvocationHandler) apart.instance(LiveContext.class, shared, contextKey(instance.instanceId), null)));
            for (String group : instance.groups) {
                hub.get().register(instance.instanceId, group);
            }
            if (!instance.markedUnavailable) {
                // Started: the hub may now hand it requests (a copy moving here takes over from the old one only now).
                hub.get().setAvailable(instance.instanceId, true);
            }
        } catch (Exception | LinkageError e) {
            LOG.warn("Instance {} of {}/{} failed to start", instance.instanceId, instance.type, instance.version, e);
            transition(instance, InstanceState.INITIALIZING, InstanceState.DESTROYED, "crashed: start failed: " + e);
            instance.context.revokeIdentity();
            return;
        }
        transition(instance, InstanceState.INITIALIZING, instance.markedUnavailable ? InstanceState.UNAVAILABLE : InstanceState.AVAILABLE,
                "initialized");
    }

    /**
     * Moves an instance from {@code from} (null: any state but destroyed) to {@code to} and tells
     * the listeners; does nothing when the instance has moved on meanwhile. Destroyed is final.
     */
    private boolean transition(Running instance, InstanceState from, InstanceState to, String reason) {
        synchronized (instance) {
            boolean applies = from == null ? instance.state != InstanceState.DESTROYED : instance.state == from;
            if (!applies || instance.state == to) {
                return false;
            }
            instance.state = to;
            publish(instance, to, reason);
            return true;
        }
    }

    private void availabilityChanged(InstanceContext source, boolean available) {
        Running instance = running.get(source.instanceId());
        if (instance == null || instance.state.ending()) {
            return;
        }
        instance.markedUnavailable = !available;
        hub.get().setAvailable(instance.instanceId, available);
        InstanceState from = available ? InstanceState.UNAVAILABLE : InstanceState.AVAILABLE;
        transition(instance, from, available ? InstanceState.AVAILABLE : InstanceState.UNAVAILABLE,
                available ? "marked available" : "marked unavailable");
    }

    private void publish(Running instance, InstanceState state, String reason) {
        listeners.publish(instance.instanceId,
                new InstanceEvent(instance.instanceId, instance.type, instance.version, state, reason, Instant.now()));
    }

    private static List<String> groups(Object property) {
        List<String> groups = new ArrayList<>();
        if (property instanceof String[] values) {
            groups.addAll(List.of(values));
        } else if (property instanceof Collection<?> values) {
            values.forEach(v -> groups.add(v.toString()));
        } else if (property != null && !property.toString().isBlank()) {
            groups.add(property.toString());
        }
        return groups;
    }

    /** The instance's configuration as the component sees it: its service properties minus the framework's. */
    private static Map<String, String> configuration(ServiceReference<?> reference) {
        Map<String, String> configuration = new TreeMap<>();
        for (String key : reference.getPropertyKeys()) {
            if (!key.startsWith("service.") && !key.startsWith("component.") && !key.startsWith("felix.")
                    && !key.equals(Constants.OBJECTCLASS)) {
                Object value = reference.getProperty(key);
                configuration.put(key, value instanceof String[] array ? String.join(",", array) : String.valueOf(value));
            }
        }
        return configuration;
    }

    private final class Starter implements ServiceTrackerCustomizer<Component, Running> {

        @Override
        public Running addingService(ServiceReference<Component> reference) {
            Component component = framework.getService(reference);
            if (component == null) {
                return null;
            }
            Running instance = new Running(Endpoints.text(reference, ComponentConstants.INSTANCE_ID),
                    Endpoints.text(reference, ComponentConstants.TYPE), Endpoints.text(reference, ComponentConstants.VERSION), component,
                    groups(reference.getProperty(ComponentConstants.GROUPS)));
            running.put(instance.instanceId, instance);
            Map<String, String> configuration = configuration(reference);
            if (shared.remove(handoverKey(instance.instanceId)) instanceof Map<?, ?> handedOver
                    && handedOver.get("serviceId").equals(reference.getProperty(Constants.SERVICE_ID))) {
                framework.ungetService(reference); // the previous revision's use of it stands
                instance.state = InstanceState.valueOf((String) handedOver.get("state"));
                instance.markedUnavailable = Boolean.TRUE.equals(handedOver.get("markedUnavailable"));
                instance.stopReason = (String) handedOver.get("stopReason");
                attachContext(instance, configuration); // running already: adopted, not started again
            } else {
                try {
                    lifecycle.execute(() -> start(instance, configuration));
                } catch (RejectedExecutionException stopping) { // this revision is being replaced: its successor starts it
                    running.remove(instance.instanceId, instance);
                    framework.ungetService(reference);
                    return null;
                }
            }
            return instance;
        }

        @Override
        public void modifiedService(ServiceReference<Component> reference, Running instance) {
        }

        @Override
        public void removedService(ServiceReference<Component> reference, Running instance) {
            running.remove(instance.instanceId, instance);
            if (context.getBundle(0).getState() == Bundle.STOPPING) {
                return; // the node stops: nothing to hand over or to report
            }
            // This bundle stops (an update) while the instance's service is still registered: the next revision takes it over.
            if (context.getBundle().getState() == Bundle.STOPPING && reference.getBundle() != null) {
                Map<String, Object> handover = new HashMap<>();
                handover.put("serviceId", reference.getProperty(Constants.SERVICE_ID));
                handover.put("state", instance.state.name());
                handover.put("markedUnavailable", instance.markedUnavailable);
                handover.put("stopReason", instance.stopReason);
                shared.put(handoverKey(instance.instanceId), handover);
                shared.replace(contextKey(instance.instanceId), instance.context, System.nanoTime()); // its calls wait for the next
                return;
            }
            framework.ungetService(reference);
            shared.remove(contextKey(instance.instanceId));
            String reason = instance.stopReason != null ? instance.stopReason : "crashed: its code went away";
            transition(instance, null, InstanceState.DESTROYED, reason);
            InstanceContext ended = instance.context;
            if (ended != null) {
                try {
                    lifecycle.execute(ended::revokeIdentity); // may wait on the CA's node
                } catch (RejectedExecutionException stopping) {
                    ended.revokeIdentity();
                }
            }
        }
    }
}
