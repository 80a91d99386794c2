package io.plinth.impl.shell;

import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.GatewayService;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "upgrade-rollback",
        description = "Aborts an upgrade: takes all traffic away from a version, which stays listed as rolled back")
public class UpgradeRollbackCommand extends VersionCommand {

    @Option(name = "--reason", description = "Why (default: rolled back by an admin)")
    String reason = "rolled back by an admin";

    @Override
    protected void run(GatewayService gateway) {
        BackendVersion version = gateway.rollback(route, versionId, reason);
        System.out.println(versionId + " on route " + route + ": " + BackendVersions.summary(version));
    }
}
