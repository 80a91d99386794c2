package io.plinth.support;

import java.util.Collection;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * A map every revision of a bundle shares with the next: registered once, with the framework's own
 * context, it outlives each revision. What a revision puts there must either be of the JDK's
 * classes or be taken out again when the revision stops, or it would pin the revision's class loader.
 */
public final class FrameworkShared {

    private static final String PROPERTY = "plinth.shared.by";

    private FrameworkShared() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static ConcurrentMap<String, Object> of(BundleContext context) {
        BundleContext framework = context.getBundle(Constants.SYSTEM_BUNDLE_ID).getBundleContext();
        String owner = context.getBundle().getSymbolicName();
        synchronized (FrameworkShared.class) {
            try {
                Collection<ServiceReference<ConcurrentMap>> found = framework.getServiceReferences(ConcurrentMap.class,
                        "(" + PROPERTY + "=" + owner + ")");
                if (!found.isEmpty()) {
                    return framework.getService(found.iterator().next());
                }
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException("bundle name " + owner, e);
            }
            ConcurrentMap<String, Object> shared = new ConcurrentHashMap<>();
            framework.registerService(ConcurrentMap.class, shared, new Hashtable<>(Map.of(PROPERTY, owner)));
            return shared;
        }
    }
}
