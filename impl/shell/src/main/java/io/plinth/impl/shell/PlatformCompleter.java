package io.plinth.impl.shell;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.plinth.api.component.ComponentController;
import io.plinth.api.component.ComponentType;
import io.plinth.api.component.Instance;
import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.gateway.Route;
import io.plinth.api.hub.Hub;
import io.plinth.support.ServiceProxy;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.framework.BundleContext;

/**
 * Base of the completers whose candidates come from the platform. Completion is a convenience:
 * when the platform is absent or fails, it offers nothing instead of an error.
 */
abstract class PlatformCompleter implements Completer {

    /** Enough to ride out a live update, short enough not to stall the Tab key for long. */
    private static final Duration PATIENCE = Duration.ofSeconds(1);

    @Reference
    BundleContext bundleContext;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(candidates()).complete(session, commandLine, candidates);
    }

    protected abstract Collection<String> candidates();

    protected Collection<String> typeNames() {
        return ask(ComponentController.class, controller ->
                controller.types().stream().map(ComponentType::name).collect(Collectors.toSet()));
    }

    protected Collection<String> instanceIds() {
        return ask(ComponentController.class, controller ->
                controller.instances().stream().map(Instance::id).collect(Collectors.toList()));
    }

    protected Collection<String> groupNames() {
        return ask(Hub.class, Hub::groups);
    }

    protected Collection<String> routeNames() {
        return ask(GatewayService.class, gateway ->
                gateway.routes().stream().map(Route::name).collect(Collectors.toList()));
    }

    protected Collection<String> versionIds() {
        return ask(GatewayService.class, gateway ->
                gateway.routes().stream().flatMap(route -> route.versions().stream()).map(BackendVersion::id)
                        .collect(Collectors.toList()));
    }

    private <S> Collection<String> ask(Class<S> serviceType, Function<S, Collection<String>> question) {
        try (ServiceProxy<S> service = new ServiceProxy<>(bundleContext, serviceType, PATIENCE)) {
            return question.apply(service.get());
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
