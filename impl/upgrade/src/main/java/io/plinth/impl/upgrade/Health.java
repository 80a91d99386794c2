package io.plinth.impl.upgrade;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.api.cluster.ClusterService;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * A node's health as an upgrade judges it, against what it was before: every platform bundle
 * active, each registering the kinds of service it registered before, and the cluster view holding
 * every node it held.
 */
final class Health {

    /** Before the upgrade: services by bundle symbolic name, and the other nodes of the view. */
    record Baseline(Map<String, Set<String>> services, Set<String> otherNodes) {
    }

    private final BundleContext framework;
    /** Ends every wait at once: this bundle's revision is being replaced. */
    private final BooleanSupplier stopped;

    Health(BundleContext framework, BooleanSupplier stopped) {
        this.framework = framework;
        this.stopped = stopped;
    }

    Baseline baseline(Set<String> platform) {
        Map<String, Set<String>> services = new HashMap<>();
        for (Bundle bundle : framework.getBundles()) {
            if (bundle.getSymbolicName() != null && platform.contains(bundle.getSymbolicName())) {
                services.put(bundle.getSymbolicName(), serviceTypes(bundle));
            }
        }
        return new Baseline(services, otherNodes());
    }

    /** Waits until {@code symbolicName} is active and registers its services again; answers what is missing at the deadline. */
    List<String> awaitBundle(String symbolicName, Baseline baseline, Duration patience) {
        return await(patience, () -> bundleProblems(symbolicName, baseline.services().getOrDefault(symbolicName, Set.of())));
    }

    /** Waits until the node is as healthy as {@code baseline} says; answers what is missing at the deadline (empty: healthy). */
    List<String> await(Baseline baseline, Duration patience) {
        return await(patience, () -> {
            List<String> problems = new ArrayList<>();
            baseline.services().forEach((name, types) -> problems.addAll(bundleProblems(name, types)));
            Set<String> lost = new TreeSet<>(baseline.otherNodes());
            lost.removeAll(otherNodes());
            if (!lost.isEmpty()) {
                problems.add("the cluster view lacks " + String.join(", ", lost));
            }
            return problems;
        });
    }

    /** A check that answers what is wrong: empty when all is well. */
    interface Check {
        List<String> problems();
    }

    /** Runs {@code check} every 100 ms until it finds nothing wrong, {@code patience} is over or waits are stopped; answers its last findings. */
    List<String> await(Duration patience, Check check) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            List<String> problems = check.problems();
            if (problems.isEmpty() || System.nanoTime() - deadline > 0 || stopped.getAsBoolean()) {
                return problems;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return problems;
            }
        }
    }

    private List<String> bundleProblems(String symbolicName, Set<String> types) {
        Bundle running = null;
        for (Bundle bundle : framework.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName()) && bundle.getState() == Bundle.ACTIVE) {
                running = bundle;
            }
        }
        if (running == null) {
            return List.of(symbolicName + " is not active");
        }
        Set<String> missing = new TreeSet<>(types);
        missing.removeAll(serviceTypes(running));
        return missing.isEmpty() ? List.of() : List.of(symbolicName + " does not offer " + String.join(", ", missing));
    }

    private static Set<String> serviceTypes(Bundle bundle) {
        Set<String> types = new TreeSet<>();
        ServiceReference<?>[] registered = bundle.getRegisteredServices();
        if (registered != null) {
            for (ServiceReference<?> reference : registered) {
                for (String type : (String[]) reference.getProperty(Constants.OBJECTCLASS)) {
                    types.add(type);
                }
            }
        }
        return types;
    }

    /** This node's name in its cluster, or as its cluster service knows it outside one, else {@code karaf.name}. */
    String nodeName() {
        String inCluster = ask(ClusterMessaging.class, ClusterMessaging::localNode);
        if (inCluster != null) {
            return inCluster;
        }
        String known = ask(ClusterService.class, cluster -> cluster.info().node());
        return known != null ? known : System.getProperty("karaf.name");
    }

    private Set<String> otherNodes() {
        Set<String> others = ask(ClusterMessaging.class, messaging -> Set.copyOf(messaging.otherNodes()));
        return others == null ? Set.of() : others;
    }

    /** What the service of {@code type} answers {@code question} now, or null when there is none (nothing waits for one). */
    private <S, R> R ask(Class<S> type, Function<S, R> question) {
        ServiceReference<S> reference = framework.getServiceReference(type);
        S service = reference == null ? null : framework.getService(reference);
        if (service == null) {
            return null;
        }
        try {
            return question.apply(service);
        } finally {
            framework.ungetService(reference);
        }
    }
}
