package io.plinth.impl.shell;

import io.plinth.api.gateway.GatewayService;
import io.plinth.api.gateway.Route;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "route-add",
        description = "Adds a gateway route: requests for a host (any by default) under a path prefix go to its own versions")
public class RouteAddCommand extends GatewayCommand {

    @Option(name = "-h", aliases = "--host", description = "The host it serves, without port (default: any)")
    String host;

    @Option(name = "-p", aliases = "--prefix", description = "The path prefix it serves (default: /)")
    String pathPrefix = "/";

    @Argument(index = 0, name = "route", required = true, description = "The new route's name")
    String name;

    @Override
    protected void run(GatewayService gateway) {
        Route added = gateway.addRoute(new Route(name, host, pathPrefix, null));
        System.out.println("Route " + added.name() + " takes " + (added.host() == null ? "any host" : added.host())
                + " under " + added.pathPrefix() + "; add its versions with plinth:upgrade-start -r " + added.name());
    }
}
