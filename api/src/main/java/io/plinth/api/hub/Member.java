package io.plinth.api.hub;

import java.util.Map;
import java.util.Set;

/**
 * A component instance as the hub sees it: its identity, the groups it belongs to and the
 * attributes it published.
 */
public record Member(String instanceId, String type, String version, String node,
                     Set<String> groups, Map<String, String> attributes) {

    public Member {
        groups = Set.copyOf(groups);
        attributes = Map.copyOf(attributes);
    }
}
