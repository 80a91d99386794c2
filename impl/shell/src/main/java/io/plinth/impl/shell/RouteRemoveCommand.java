package io.plinth.impl.shell;

import io.plinth.api.gateway.GatewayService;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "route-remove", description = "Removes a gateway route and its versions (not the default route)")
public class RouteRemoveCommand extends GatewayCommand {

    @Argument(index = 0, name = "route", required = true, description = "The route")
    @Completion(RouteNameCompleter.class)
    String name;

    @Override
    protected void run(GatewayService gateway) {
        gateway.removeRoute(name);
        System.out.println("Removed route " + name + " and its versions");
    }
}
