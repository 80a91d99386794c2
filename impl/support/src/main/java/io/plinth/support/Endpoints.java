package io.plinth.support;

import io.plinth.api.component.Component;
import io.plinth.api.component.ComponentConstants;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** Component instance endpoints: {@link Component} services that carry an instance id. */
public final class Endpoints {

    private Endpoints() {
    }

    /** Matches every endpoint service. */
    public static Filter filter(BundleContext context) {
        try {
            return context.createFilter("(&(" + Constants.OBJECTCLASS + "=" + Component.class.getName() + ")("
                    + ComponentConstants.INSTANCE_ID + "=*))");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A service property as text; empty when absent. */
    public static String text(ServiceReference<?> reference, String key) {
        Object value = reference.getProperty(key);
        return value == null ? "" : value.toString();
    }
}
