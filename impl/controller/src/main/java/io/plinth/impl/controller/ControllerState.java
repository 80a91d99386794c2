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

    /** An instance that should exist. */
    record StoredInstance(String id, String type, String version, String node, Map<String, String> configuration,
                          List<String> groups, long createdMillis) {
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
