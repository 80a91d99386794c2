package io.plinth.impl.management.delegates;

import java.security.Provider;
import java.security.Security;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.plinth.api.pki.ManagementTls;

/**
 * Finds the node's {@link ManagementTls} service through the JCA provider registered now under
 * {@value #PROVIDER}, whichever revision of the management bundle registered it.
 * <p>
 * The classes of this package are what Jetty keeps until it restarts. They are therefore loaded by
 * a class loader of their own, outside the management bundle (see {@code LoadedApart}), and refer to
 * nothing of it: an updated management bundle leaves no class loader behind.
 */
public final class NodeLookup {

    /** The provider's name. */
    public static final String PROVIDER = "PlinthManagement";
    /** The provider property holding a {@code Supplier} of the node's {@link ManagementTls} service (or null). */
    public static final String SERVICE = "PlinthNode.service";
    /**
     * How long a handshake waits for the service: longer than a live update of the bundle that
     * provides it or of this one takes, so that no handshake fails during one.
     */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A service seen this recently and gone now is being replaced: worth the wait. */
    private static final long RECENT_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** When a handshake last found the service (nanoTime), or null: never. */
    private static volatile Long lastSeen;

    private NodeLookup() {
    }

    /**
     * The node's service; when it went away in the last minute (an update of the bundle providing
     * it, or of this one), waiting for it up to the patience. Null if there is none.
     */
    static ManagementTls node() {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (true) {
            ManagementTls tls = registered();
            if (tls != null) {
                lastSeen = System.nanoTime();
                return tls;
            }
            Long seen = lastSeen;
            if (seen == null || System.nanoTime() - seen > RECENT_NANOS || System.nanoTime() - deadline > 0) {
                return null;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private static ManagementTls registered() {
        Provider provider = Security.getProvider(PROVIDER);
        Object service = provider == null ? null : provider.get(SERVICE);
        return service instanceof Supplier<?> supplier && supplier.get() instanceof ManagementTls tls ? tls : null;
    }
}
