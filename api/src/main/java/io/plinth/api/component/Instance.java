package io.plinth.api.component;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A component instance: one running copy of a type.
 *
 * @param id            160-bit identifier, hex (seed §4.7.4)
 * @param type          the type's name
 * @param version       the type's exact version
 * @param node          the node it runs on
 * @param state         its life-cycle state
 * @param configuration its own configuration (over the type's defaults)
 * @param groups        groups it joined at start
 * @param links         instances linked to it (destroyed when it ends, and vice versa)
 * @param created       when it was created
 */
public record Instance(String id, String type, String version, String node, InstanceState state,
                       Map<String, String> configuration, List<String> groups, List<String> links,
                       Instant created) {

    public Instance {
        configuration = Map.copyOf(configuration);
        groups = List.copyOf(groups);
        links = List.copyOf(links);
    }
}
