package io.plinth.impl.management;

import java.security.Security;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

import io.plinth.api.pki.ManagementTls;
import io.plinth.impl.management.delegates.NodeClients;
import io.plinth.impl.management.delegates.NodeKeys;
import io.plinth.impl.management.delegates.NodeLookup;
import io.plinth.support.LoadedApart;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Registers the {@link ManagementTlsProvider} with the JVM. A bundle activator, not a DS
 * component, and started at level 25 (the feature says so): Pax Web starts Jetty at level 30 and
 * Jetty looks the provider's algorithms up then; DS components only activate later.
 */
@Header(name = Constants.BUNDLE_ACTIVATOR, value = "${@class}")
public final class Activator implements BundleActivator {

    private ServiceTracker<ManagementTls, ManagementTls> node;

    @Override
    public void start(BundleContext context) {
        node = new ServiceTracker<>(context, ManagementTls.class, null);
        node.open();
        Security.removeProvider(NodeLookup.PROVIDER); // one left by an earlier revision of this bundle
        LoadedApart managers = new LoadedApart(context.getDataFile("tls-managers").toPath(), ManagementTls.class.getClassLoader(),
                List.of(NodeLookup.class, NodeKeys.class, NodeClients.class));
        Security.addProvider(new ManagementTlsProvider(node::getService, (KeyManager) managers.instance(NodeKeys.class),
                (TrustManager) managers.instance(NodeClients.class)));
    }

    @Override
    public void stop(BundleContext context) {
        Security.removeProvider(NodeLookup.PROVIDER);
        node.close();
    }
}
