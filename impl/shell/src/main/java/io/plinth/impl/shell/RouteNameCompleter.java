package io.plinth.impl.shell;

import java.util.Collection;

import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the names of the gateway's routes. */
@Service
public class RouteNameCompleter extends PlatformCompleter {

    @Override
    protected Collection<String> candidates() {
        return routeNames();
    }
}
