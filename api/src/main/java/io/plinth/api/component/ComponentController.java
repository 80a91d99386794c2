package io.plinth.api.component;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The component controller (seed §4.7.3): component types and the life-cycle of their instances.
 * Every method fails with {@link io.plinth.api.error.PlinthException}.
 */
@ProviderType
public interface ComponentController {

    /** Registers a type; registering the identical type again is a no-op, a different one a conflict. */
    ComponentType registerType(ComponentType type);

    /** Unregisters a type that has no instances left. */
    void unregisterType(String name, String version);

    List<ComponentType> types();

    ComponentType type(String name, String version);

    /** Creates instances and answers once all are available (or fails after the spec's timeout). */
    List<Instance> create(InstanceSpec spec);

    /** Asks an instance to terminate; fails with reason REFUSED when the component says no. */
    Instance terminate(String instanceId, String reason);

    /** Ends an instance for sure: asks it to stop, and after {@code grace} removes it regardless. */
    Instance destroy(String instanceId, String reason, Duration grace);

    /** Every instance of the cluster, this node's first; nodes out of the view show theirs in state NONE. */
    List<Instance> instances();

    /**
     * The instances one node hosts: this node's from its own state, another's as that node tells
     * (or, out of the view, as last heard, in state NONE). NOT_FOUND for a node neither in the view
     * nor known to host instances.
     */
    List<Instance> instancesOn(String node);

    Instance instance(String instanceId);

    /** Links two instances (Erlang semantics): when one ends for any reason but {@code normal}, the other is destroyed. */
    void link(String instanceId, String otherInstanceId);

    void unlink(String instanceId, String otherInstanceId);

    /**
     * Makes {@code watcherInstanceId} receive a cast with operation {@link #DOWN} (inputs
     * {@code instance} and {@code reason}) when {@code targetInstanceId} ends.
     */
    void monitor(String watcherInstanceId, String targetInstanceId);

    void demonitor(String watcherInstanceId, String targetInstanceId);

    /** The operation a monitoring instance receives when the instance it watches ends. */
    String DOWN = "plinth.down";
}
