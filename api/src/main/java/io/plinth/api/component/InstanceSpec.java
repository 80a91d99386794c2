package io.plinth.api.component;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What to create: {@code count} instances of one type.
 *
 * @param type          the type's name
 * @param version       its exact version
 * @param count         how many instances (1 to 1000)
 * @param configuration overrides of the type's defaults
 * @param groups        hub groups every instance joins at start
 * @param timeout       how long create waits for the instances to become available
 * @param node          the node to run them on; {@code null} places each on the least-loaded
 *                      available node of the cluster
 */
public record InstanceSpec(String type, String version, int count, Map<String, String> configuration,
                           List<String> groups, Duration timeout, String node) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int MAX_COUNT = 1000;

    public InstanceSpec {
        if (type == null || type.isBlank() || version == null || version.isBlank()) {
            throw new IllegalArgumentException("an instance needs a type name and version");
        }
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be 1 to " + MAX_COUNT + ", not " + count);
        }
        configuration = configuration == null ? Map.of() : Map.copyOf(configuration);
        groups = groups == null ? List.of() : List.copyOf(groups);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        node = node == null || node.isBlank() ? null : node;
    }

    /** Instances placed by the controller. */
    public InstanceSpec(String type, String version, int count, Map<String, String> configuration,
                        List<String> groups, Duration timeout) {
        this(type, version, count, configuration, groups, timeout, null);
    }
}
