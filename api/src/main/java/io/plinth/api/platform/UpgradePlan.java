package io.plinth.api.platform;

import java.util.List;

/**
 * What upgrading one node to a platform build would do. {@code refresh} lists the bundles that
 * the framework would restart because they are wired to a bundle that is updated or uninstalled
 * (each with why); {@code refreshBeyondPlatform} the symbolic names of those that are not platform
 * bundles (components, other applications): a plan with any is {@link #refused() refused} unless
 * forced. {@code features} are features of other repositories the build needs and the node lacks.
 */
public record UpgradePlan(String node, String fromVersion, String toVersion, String repository,
        List<BundleChange> install, List<BundleChange> update, List<BundleChange> uninstall,
        List<BundleChange> refresh, List<String> refreshBeyondPlatform, List<String> features) {

    public UpgradePlan {
        install = List.copyOf(install);
        update = List.copyOf(update);
        uninstall = List.copyOf(uninstall);
        refresh = List.copyOf(refresh);
        refreshBeyondPlatform = List.copyOf(refreshBeyondPlatform);
        features = List.copyOf(features);
    }

    /** Whether the upgrade would need {@code force}: it refreshes bundles that are not the platform's. */
    public boolean refused() {
        return !refreshBeyondPlatform.isEmpty();
    }

    /** Whether the node runs that build already: nothing to install, update, uninstall or refresh. */
    public boolean unchanged() {
        return install.isEmpty() && update.isEmpty() && uninstall.isEmpty() && refresh.isEmpty() && features.isEmpty();
    }
}
