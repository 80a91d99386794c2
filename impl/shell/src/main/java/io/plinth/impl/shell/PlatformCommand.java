package io.plinth.impl.shell;

import java.time.Duration;

import io.plinth.support.ServiceProxy;

/**
 * Base of the commands that use one platform service. Each run reaches it through a fresh
 * {@link ServiceProxy} rather than a reference injected once: the hub and controller bundles are
 * replaced live, and the proxy waits for, and retries on, the successor.
 */
abstract class PlatformCommand<S> extends ShellCommand {

    /** How long a command waits for a missing service, e.g. while its bundle is being updated. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Class<S> serviceType;

    PlatformCommand(Class<S> serviceType) {
        this.serviceType = serviceType;
    }

    @Override
    protected final void run() {
        try (ServiceProxy<S> service = new ServiceProxy<>(bundleContext, serviceType, PATIENCE)) {
            run(service.get());
        }
    }

    protected abstract void run(S service);
}
