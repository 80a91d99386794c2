package io.plinth.impl.upgrade;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.platform.BundleChange;
import io.plinth.api.platform.UpgradePlan;

import org.apache.karaf.features.BundleInfo;
import org.apache.karaf.features.Dependency;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares a platform build with what this node runs: which bundles it would install, update and
 * uninstall, and which others the framework would then refresh (every bundle wired, directly or
 * not, to one that is updated or uninstalled: they restart). Impl bundles export nothing, so
 * updating them refreshes nothing; a new API bundle or library refreshes everything wired to it.
 * A library the build marks as a dependency is left as installed when some version of it is (as
 * Karaf's resolver does: the platform's Jackson 2.14.1 is satisfied by the 2.14.2 CXF brings).
 */
final class Planner {

    private static final Logger LOG = LoggerFactory.getLogger(Planner.class);

    /** A plan, and what carrying it out needs: the installed bundles it changes and the fetched build. */
    record Planned(UpgradePlan plan, Build build, Map<String, Bundle> toUpdate, Map<String, Bundle> toUninstall,
            Set<Bundle> toRefresh, Set<String> platform) {
    }

    private final BundleContext framework;
    private final FeaturesService features;
    private final Path store;
    private final Path staging;

    /**
     * {@code framework}: the system bundle's context, valid whatever happens to this bundle;
     * {@code store}: this sub-system's directory; {@code staging}: where the build's bundles go.
     */
    Planner(BundleContext framework, FeaturesService features, Path store, Path staging) {
        this.framework = framework;
        this.features = features;
        this.store = store;
        this.staging = staging;
    }

    /** What upgrading this node, {@code node}, to {@code version} would do; fetches the build, changes nothing. */
    Planned plan(String version, String node) {
        long start = System.nanoTime();
        Build build = Build.fetch(features, version, staging);
        LOG.info("Fetched platform build {} ({} bundles) in {} ms", version, build.artifacts.size(), (System.nanoTime() - start) / 1_000_000);
        Set<String> platform = platformNames(build);
        Map<String, Bundle> installed = new HashMap<>();
        for (Bundle bundle : framework.getBundles()) {
            if (bundle.getSymbolicName() != null && platform.contains(bundle.getSymbolicName())) {
                installed.merge(bundle.getSymbolicName(), bundle, (a, b) -> a.getVersion().compareTo(b.getVersion()) >= 0 ? a : b);
            }
        }
        List<BundleChange> install = new ArrayList<>();
        List<BundleChange> update = new ArrayList<>();
        Map<String, Bundle> toUpdate = new LinkedHashMap<>();
        for (Build.Artifact artifact : build.artifacts.values()) {
            Bundle current = installed.get(artifact.symbolicName());
            if (current == null) {
                install.add(new BundleChange(artifact.symbolicName(), null, artifact.version().toString(), artifact.location()));
            } else if (!current.getVersion().equals(artifact.version()) && !artifact.dependency()) {
                update.add(new BundleChange(artifact.symbolicName(), current.getVersion().toString(), artifact.version().toString(), artifact.location()));
                toUpdate.put(artifact.symbolicName(), current);
            }
        }
        List<BundleChange> uninstall = new ArrayList<>();
        Map<String, Bundle> toUninstall = new LinkedHashMap<>();
        for (Bundle bundle : installed.values()) {
            if (bundle.getSymbolicName().startsWith("io.plinth.") && !build.artifacts.containsKey(bundle.getSymbolicName())) {
                uninstall.add(new BundleChange(bundle.getSymbolicName(), bundle.getVersion().toString(), null, bundle.getLocation()));
                toUninstall.put(bundle.getSymbolicName(), bundle);
            }
        }
        Set<Bundle> changed = new HashSet<>(toUpdate.values());
        changed.addAll(toUninstall.values());
        Map<Bundle, String> refresh = dependents(changed);
        List<BundleChange> refreshed = new ArrayList<>();
        Set<String> beyond = new TreeSet<>();
        refresh.forEach((bundle, why) -> {
            refreshed.add(new BundleChange(bundle.getSymbolicName(), bundle.getVersion().toString(), bundle.getVersion().toString(), why));
            if (!platform.contains(bundle.getSymbolicName())) {
                beyond.add(bundle.getSymbolicName());
            }
        });
        UpgradePlan plan = new UpgradePlan(node, installedVersion(), build.version, build.repository.toString(),
                install, update, uninstall, refreshed, List.copyOf(beyond), missingFeatures(build));
        return new Planned(plan, build, toUpdate, toUninstall, refresh.keySet(), platform);
    }

    /** The version of the platform feature installed here, or null when Karaf lists none. */
    String installedVersion() {
        try {
            for (Feature feature : features.listInstalledFeatures()) {
                if (feature.getName().equals(Build.ROOT)) {
                    return feature.getVersion();
                }
            }
            return null;
        } catch (Exception e) {
            throw new PlinthException(Reason.FAILED, "cannot list the installed features: " + e.getMessage(), e);
        }
    }

    /**
     * The symbolic names of the platform's bundles: the target build's, those the installed platform
     * feature installed, and those a previous upgrade put in (kept under {@code current/}).
     */
    private Set<String> platformNames(Build build) {
        Set<String> names = new HashSet<>(build.artifacts.keySet());
        Set<String> locations = new HashSet<>();
        try {
            for (Feature feature : features.listInstalledFeatures()) {
                if (feature.getName().equals(Build.ROOT)) {
                    installedLocations(feature, new HashSet<>(), locations);
                }
            }
        } catch (Exception e) {
            throw new PlinthException(Reason.FAILED, "cannot list the installed features: " + e.getMessage(), e);
        }
        for (Bundle bundle : framework.getBundles()) {
            if (locations.contains(bundle.getLocation()) && bundle.getSymbolicName() != null) {
                names.add(bundle.getSymbolicName());
            }
        }
        names.addAll(Kept.names(store.resolve("current")));
        return names;
    }

    private void installedLocations(Feature feature, Set<String> seen, Set<String> locations) throws Exception {
        if (!seen.add(feature.getId())) {
            return;
        }
        for (BundleInfo bundle : feature.getBundles()) {
            locations.add(bundle.getLocation());
        }
        for (Dependency dependency : feature.getDependencies()) {
            Feature needed = features.getFeature(dependency.getName(), dependency.getVersion());
            if (needed != null && needed.getRepositoryUrl() != null && needed.getRepositoryUrl().equals(feature.getRepositoryUrl())) {
                installedLocations(needed, seen, locations);
            }
        }
    }

    /** Every bundle wired, directly or through others, to one of {@code changed}, with the first wire that explains why. */
    static Map<Bundle, String> dependents(Set<Bundle> changed) {
        Map<Bundle, String> found = new LinkedHashMap<>();
        Deque<Bundle> todo = new ArrayDeque<>(changed);
        while (!todo.isEmpty()) {
            Bundle provider = todo.remove();
            BundleWiring wiring = provider.adapt(BundleWiring.class);
            if (wiring == null) {
                continue;
            }
            for (BundleWire wire : wiring.getProvidedWires(null)) {
                Bundle requirer = wire.getRequirerWiring().getBundle();
                if (requirer.getBundleId() != 0 && !changed.contains(requirer) && !found.containsKey(requirer)) {
                    found.put(requirer, "wired to " + provider.getSymbolicName() + " (" + what(wire) + ")");
                    todo.add(requirer);
                }
            }
        }
        return found;
    }

    private static String what(BundleWire wire) {
        String namespace = wire.getCapability().getNamespace();
        Object name = wire.getCapability().getAttributes().get(namespace);
        return BundleRevision.PACKAGE_NAMESPACE.equals(namespace) ? "package " + name : namespace + (name == null ? "" : " " + name);
    }

    private List<String> missingFeatures(Build build) {
        List<String> missing = new ArrayList<>();
        for (String name : build.externalFeatures) {
            try {
                boolean installed = false;
                for (Feature feature : features.getFeatures(name)) {
                    installed |= features.isInstalled(feature);
                }
                if (!installed) {
                    missing.add(name);
                }
            } catch (Exception e) {
                throw new PlinthException(Reason.FAILED, "cannot look up feature " + name + ": " + e.getMessage(), e);
            }
        }
        return missing;
    }
}
