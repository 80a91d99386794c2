package io.plinth.impl.shell;

import io.plinth.api.platform.PlatformUpgrades;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "platform-upgrade-status", description = "The running or last platform upgrade started on this node")
public class PlatformUpgradeStatusCommand extends PlatformCommand<PlatformUpgrades> {

    public PlatformUpgradeStatusCommand() {
        super(PlatformUpgrades.class);
    }

    @Override
    protected void run(PlatformUpgrades upgrades) {
        PlatformUpgradeCommand.printStatus(upgrades.status());
    }
}
