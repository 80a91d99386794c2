package io.plinth.impl.shell;

import io.plinth.api.gateway.Route;

import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;

/** Base of the upgrade commands, which act on the versions of one route: [-r ROUTE]. */
abstract class UpgradeCommand extends GatewayCommand {

    @Option(name = "-r", aliases = "--route", description = "The route (default: default)")
    @Completion(RouteNameCompleter.class)
    String route = Route.DEFAULT;
}
