package io.plinth.impl.shell;

import io.plinth.api.gateway.GatewayService;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "upgrade-remove",
        description = "Removes a version from a route; its traffic goes to the versions left")
public class UpgradeRemoveCommand extends VersionCommand {

    @Override
    protected void run(GatewayService gateway) {
        gateway.removeVersion(route, versionId);
        System.out.println("Removed " + versionId + " from route " + route);
    }
}
