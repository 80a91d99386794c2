package io.plinth.impl.shell;

import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Collectors;

import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.gateway.Route;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "route-list",
        description = "Lists the gateway's routes with their number of versions and the newest serving one")
public class RouteListCommand extends GatewayCommand {

    @Override
    protected void run(GatewayService gateway) {
        ShellTable table = Tables.table("No routes.", "Route", "Host", "Prefix", "Versions", "Serving", "Newest serving", "Mode");
        for (Route route : gateway.routes().stream().sorted(Comparator.comparing(Route::name)).collect(Collectors.toList())) {
            long serving = route.versions().stream().filter(BackendVersion::serving).count();
            Optional<BackendVersion> newest = BackendVersions.newestServing(route);
            table.addRow().addContent(route.name(), route.host() == null ? "*" : route.host(), route.pathPrefix(), route.versions().size(), serving,
                    newest.map(BackendVersions::number).orElse("-"), newest.map(BackendVersions::mode).orElse("-"));
        }
        Tables.print(table);
    }
}
