package io.plinth.impl.upgrade;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * The order in which to stop bundles so that work in flight can end: a bundle stops only after the
 * bundles that use its services (REST and the gateway before the hub they call, the harness before
 * the components it runs), the platform's before the components, ties and cycles in the reverse of
 * the order a node starts them.
 */
final class StopOrder {

    /** The order a node starts bundles in: by start level, then as they were installed. */
    static final Comparator<Bundle> START = Comparator
            .comparingInt((Bundle bundle) -> bundle.adapt(BundleStartLevel.class).getStartLevel())
            .thenComparingLong(Bundle::getBundleId);

    private StopOrder() {
    }

    static List<Bundle> of(Collection<Bundle> bundles, Set<String> platform) {
        Map<Boolean, List<Bundle>> byKind = bundles.stream().collect(Collectors.partitioningBy(bundle -> platform.contains(bundle.getSymbolicName())));
        List<Bundle> order = usersFirst(byKind.get(true));
        order.addAll(usersFirst(byKind.get(false)));
        return order;
    }

    private static List<Bundle> usersFirst(List<Bundle> bundles) {
        Map<Bundle, Set<Bundle>> users = bundles.stream().collect(Collectors.toMap(Function.identity(), StopOrder::users));
        Set<Bundle> remaining = new LinkedHashSet<>(bundles.stream().sorted(START.reversed()).toList());
        List<Bundle> order = new ArrayList<>();
        while (!remaining.isEmpty()) {
            Bundle next = remaining.stream()
                    .filter(bundle -> users.get(bundle).stream().noneMatch(user -> user != bundle && remaining.contains(user)))
                    .findFirst()
                    .orElse(remaining.iterator().next()); // a cycle: broken in reverse start order
            order.add(next);
            remaining.remove(next);
        }
        return order;
    }

    private static Set<Bundle> users(Bundle provider) {
        Set<Bundle> users = new HashSet<>();
        ServiceReference<?>[] registered = provider.getRegisteredServices();
        if (registered != null) {
            for (ServiceReference<?> reference : registered) {
                Bundle[] using = reference.getUsingBundles();
                if (using != null) {
                    users.addAll(List.of(using));
                }
            }
        }
        return users;
    }
}
