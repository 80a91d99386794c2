package io.plinth.impl.controller;

import java.util.List;
import java.util.Map;

import io.plinth.api.component.ComponentType;

/**
 * The controller's desired state, kept in {@code data/plinth/controller/state.json} so it
 * outlives live updates of the controller and restarts of the node.
 */
record ControllerState(List<ComponentType> types, List<StoredInstance> instances, List<Pair> links, List<Pair> monitors) {

    static final ControllerState EMPTY = new ControllerState(List.of(), List.of(), List.of(), List.of());

    ControllerState {
        types = types == null ? List.of() : List.copyOf(types);
        instances = instances == null ? List.of() : List.copyOf(instances);
        links = links == null ? List.of() : List.copyOf(links);
        monitors = monitors == null ? List.of() : List.copyOf(monitors);
    }

    /**
     * An instance that should exist, on {@code node}. Its generation grows each time it is
     * re-created on another node, so that of two copies (a failed node came back) one wins.
     */
    record StoredInstance(String id, String type, String version, String node, Map<String, String> configuration,
                          List<String> groups, long createdMillis, long generation) {

        /** The same instance, on {@code host} (its name in the cluster). */
        StoredInstance on(String host) {
            return host.equals(node) ? this : new StoredInstance(id, type, version, host, configuration, groups, createdMillis, generation);
        }

        StoredInstance movedTo(String target) {
            return new StoredInstance(id, type, version, target, configuration, groups, createdMillis, generation + 1);
        }

        /** Whether this copy wins over {@code other}: a higher generation, then the first node's name. */
        boolean beats(StoredInstance other) {
            return generation != other.generation ? generation > other.generation : node.compareTo(other.node) < 0;
        }
    }

    /** A link (unordered) or a monitor (first watches second). */
    record Pair(String first, String second) {
        boolean involves(String instanceId) {
            return first.equals(instanceId) || second.equals(instanceId);
        }

        String other(String instanceId) {
            return first.equals(instanceId) ? second : first;
        }
    }
}
