package io.plinth.impl.shell;

import io.plinth.api.gateway.GatewayService;
import io.plinth.api.gateway.Route;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "upgrade-promote",
        description = "Ends an upgrade: makes a version the only one of its route, removing every other version")
public class UpgradePromoteCommand extends VersionCommand {

    @Override
    protected void run(GatewayService gateway) {
        Route promoted = gateway.promote(route, versionId);
        System.out.println("Promoted " + versionId + ", now the only version of route " + promoted.name() + ": "
                + promoted.versions().stream().map(BackendVersions::summary).findFirst().orElse("-"));
    }
}
