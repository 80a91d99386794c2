package io.plinth.support;

import java.util.Set;

import io.plinth.api.cluster.ClusterMessaging;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The cluster's messaging service as a sub-system sees it: there while this node is connected to
 * its cluster, with the nodes marked unavailable and those being decommissioned. Calls back when it comes and goes.
 */
public final class MessagingTracker implements AutoCloseable {

    /** What a sub-system does when the node connects to its cluster or leaves it. */
    public interface Listener {
        void connected(ClusterMessaging messaging);

        /** The node is leaving its cluster; the messaging service and the marks still answer during the call. */
        default void disconnected() {
        }
    }

    private final ServiceTracker<ClusterMessaging, ClusterMessaging> tracker;
    private volatile ClusterMessaging messaging;
    private volatile Set<String> unavailable = Set.of();
    private volatile Set<String> draining = Set.of();

    public MessagingTracker(BundleContext context, Listener listener) {
        tracker = new ServiceTracker<>(context, ClusterMessaging.class, null) {
            @Override
            public ClusterMessaging addingService(ServiceReference<ClusterMessaging> reference) {
                ClusterMessaging added = super.addingService(reference);
                readMarks(reference);
                messaging = added;
                listener.connected(added);
                return added;
            }

            @Override
            public void modifiedService(ServiceReference<ClusterMessaging> reference, ClusterMessaging service) {
                readMarks(reference);
            }

            @Override
            public void removedService(ServiceReference<ClusterMessaging> reference, ClusterMessaging removed) {
                listener.disconnected(); // while the service and its marks can still be read
                messaging = null;
                unavailable = Set.of();
                draining = Set.of();
                super.removedService(reference, removed);
            }
        };
    }

    /**
     * Starts tracking; the listener may be called before this returns. Separate from construction so
     * that the owner holds this tracker before any callback (its own, or a message handler's) asks it.
     */
    public MessagingTracker open() {
        tracker.open();
        return this;
    }

    /** The messaging service while connected, else null. */
    public ClusterMessaging messaging() {
        return messaging;
    }

    /** The nodes of the view marked unavailable (empty while not connected). */
    public Set<String> unavailable() {
        return unavailable;
    }

    /** The nodes of the view being decommissioned (empty while not connected). */
    public Set<String> draining() {
        return draining;
    }

    private void readMarks(ServiceReference<ClusterMessaging> reference) {
        unavailable = nodes(reference, ClusterMessaging.UNAVAILABLE_NODES);
        draining = nodes(reference, ClusterMessaging.DRAINING_NODES);
    }

    private static Set<String> nodes(ServiceReference<ClusterMessaging> reference, String property) {
        return reference.getProperty(property) instanceof String[] names ? Set.of(names) : Set.of();
    }

    @Override
    public void close() {
        tracker.close();
    }
}
