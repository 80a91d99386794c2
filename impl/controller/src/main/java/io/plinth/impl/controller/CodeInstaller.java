package io.plinth.impl.controller;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import io.plinth.api.component.ComponentConstants;
import io.plinth.api.component.ComponentKind;
import io.plinth.api.component.ComponentType;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;

import org.apache.karaf.features.BundleInfo;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Puts a component type's code on this node: installs its bundle (or feature), and says where its
 * instances' configurations go: the component's factory PID, bound to that exact bundle's
 * location so two versions of one bundle never pick up each other's instances. (Felix SCR 2.2
 * confuses named factory configurations with targeted PIDs, so location binding it is.)
 */
final class CodeInstaller {

    /** Where an instance's configuration goes: a factory PID, bound to one bundle location. */
    record ComponentCode(String factoryPid, String bundleLocation) {
    }

    private final BundleContext context;
    private final FeaturesService features;

    CodeInstaller(BundleContext context, FeaturesService features) {
        this.context = context;
        this.features = features;
    }

    /** Checks that the type's code exists and says which component it runs; installs bundles, starts nothing. */
    void verify(ComponentType type) {
        if (type.kind() == ComponentKind.BUNDLE) {
            componentPid(type, bundleOf(type));
        } else {
            feature(type);
        }
    }

    /** Installs and starts the type's code; answers where its instances' configurations go. */
    ComponentCode install(ComponentType type) {
        Bundle bundle;
        if (type.kind() == ComponentKind.BUNDLE) {
            bundle = bundleOf(type);
        } else {
            Feature feature = feature(type);
            try {
                if (!features.isInstalled(feature)) {
                    features.installFeature(feature, EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
                }
            } catch (Exception e) {
                throw new PlinthException(Reason.FAILED, "cannot install feature " + feature.getId() + ": " + e.getMessage(), e);
            }
            bundle = componentBundle(type, feature);
        }
        try {
            if (bundle.getState() != Bundle.ACTIVE) {
                bundle.start();
            }
        } catch (BundleException e) {
            throw new PlinthException(Reason.FAILED, "cannot start " + bundle.getSymbolicName() + " of type " + type.key() + ": " + e.getMessage(), e);
        }
        return new ComponentCode(componentPid(type, bundle), bundle.getLocation());
    }

    /** Removes a bundle type's bundle, unless another registered type still uses it. */
    void uninstall(ComponentType type, boolean stillUsed) {
        if (type.kind() != ComponentKind.BUNDLE || stillUsed) {
            return;
        }
        Bundle bundle = context.getBundle(type.artifact());
        if (bundle != null) {
            try {
                bundle.uninstall();
            } catch (BundleException | IllegalStateException e) {
                throw new PlinthException(Reason.FAILED, "cannot uninstall " + type.artifact() + ": " + e.getMessage(), e);
            }
        }
    }

    private Bundle bundleOf(ComponentType type) {
        Bundle bundle = context.getBundle(type.artifact());
        if (bundle != null) {
            return bundle;
        }
        try {
            return context.installBundle(type.artifact());
        } catch (BundleException | IllegalArgumentException e) {
            throw new PlinthException(Reason.INVALID, "cannot install " + type.artifact() + " for type " + type.key()
                    + " (is its feature repository added?): " + rootMessage(e), e);
        }
    }

    private Feature feature(ComponentType type) {
        try {
            Feature feature = features.getFeature(type.artifact(), type.version());
            if (feature == null) {
                throw PlinthException.invalid("no feature " + type.artifact() + "/" + type.version()
                        + " in the feature repositories added (feature:repo-add first)");
            }
            return feature;
        } catch (PlinthException e) {
            throw e;
        } catch (Exception e) {
            throw new PlinthException(Reason.FAILED, "cannot look up feature " + type.artifact() + ": " + rootMessage(e), e);
        }
    }

    /**
     * The feature's bundle that runs the component: the one whose {@code Plinth-Component} header
     * names it (or has one, when the type names none), or the feature's only bundle.
     */
    private Bundle componentBundle(ComponentType type, Feature feature) {
        List<Bundle> bundles = new ArrayList<>();
        for (BundleInfo info : feature.getBundles()) {
            Bundle bundle = context.getBundle(info.getLocation());
            if (bundle != null) {
                bundles.add(bundle);
            }
        }
        for (Bundle bundle : bundles) {
            String header = bundle.getHeaders().get(ComponentConstants.COMPONENT_HEADER);
            if (header != null && (type.component().isEmpty() || type.component().equals(header.trim()))) {
                return bundle;
            }
        }
        if (bundles.size() == 1 && !type.component().isEmpty()) {
            return bundles.get(0);
        }
        throw PlinthException.invalid("feature " + feature.getId() + " has no bundle with a "
                + ComponentConstants.COMPONENT_HEADER + " header" + (type.component().isEmpty() ? "" : " naming " + type.component()));
    }

    private static String componentPid(ComponentType type, Bundle bundle) {
        if (!type.component().isEmpty()) {
            return type.component();
        }
        String header = bundle.getHeaders().get(ComponentConstants.COMPONENT_HEADER);
        if (header == null || header.isBlank()) {
            throw PlinthException.invalid(type.artifact() + " has no " + ComponentConstants.COMPONENT_HEADER
                    + " header; name the component's configuration PID in the type");
        }
        return header.trim();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
