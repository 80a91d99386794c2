package io.plinth.impl.shell;

import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.gateway.Route;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "route-show", description = "Shows the versions of a route's backend, oldest first")
public class RouteShowCommand extends GatewayCommand {

    @Argument(index = 0, name = "route", description = "The route (default: default)")
    @Completion(RouteNameCompleter.class)
    String name = Route.DEFAULT;

    @Override
    protected void run(GatewayService gateway) {
        Route route = gateway.route(name);
        ShellTable table = Tables.table("No versions on route " + route.name() + ".", "Id", "Version", "Servers", "Mode", "State");
        for (BackendVersion version : route.versions()) {
            table.addRow().addContent(version.id(), BackendVersions.number(version), BackendVersions.servers(version),
                    BackendVersions.mode(version), BackendVersions.state(version));
        }
        Tables.print(table);
    }
}
