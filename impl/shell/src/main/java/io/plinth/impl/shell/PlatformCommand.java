package io.plinth.impl.shell;

import java.time.Duration;

import io.plinth.support.ServiceProxy;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.BundleContext;

/**
 * Base of the commands that use one platform service. Each run reaches it through a fresh
 * {@link ServiceProxy} rather than a reference injected once: the hub and controller bundles are
 * replaced live, and the proxy waits for, and retries on, the successor.
 *
 * <p>Failures are not caught here: a {@link io.plinth.api.error.PlinthException} or an
 * {@link IllegalArgumentException} (bad input) fails the command, and Karaf prints
 * {@code Error executing command: MESSAGE}, so scripts and one-shot ssh see the failure.
 */
abstract class PlatformCommand<S> implements Action {

    /** How long a command waits for a missing service, e.g. while its bundle is being updated. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Class<S> serviceType;

    @Reference
    BundleContext bundleContext;

    PlatformCommand(Class<S> serviceType) {
        this.serviceType = serviceType;
    }

    @Override
    public final Object execute() {
        try (ServiceProxy<S> service = new ServiceProxy<>(bundleContext, serviceType, PATIENCE)) {
            run(service.get());
        }
        // The command prints its own results; a returned value would be printed again.
        return null;
    }

    /** Does the command's work, printing its results to {@code System.out}. */
    protected abstract void run(S service);
}
