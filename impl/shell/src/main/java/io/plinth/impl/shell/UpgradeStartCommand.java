package io.plinth.impl.shell;

import java.util.List;
import java.util.Locale;

import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.gateway.UpgradeMode;
import io.plinth.support.HostPort;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "upgrade-start",
        description = "Adds a version to a route's backend and prints its id; traffic moves to it as its mode says")
public class UpgradeStartCommand extends UpgradeCommand {

    @Argument(index = 0, name = "version", required = true, description = "Its version number, e.g. 1.1; the highest is the newest")
    double version;

    @Argument(index = 1, name = "servers", multiValued = true, description = "Its servers, host:port (or use -g)")
    List<String> servers = List.of();

    @Option(name = "-g", aliases = "--group",
            description = "The hub group whose available members serve it, each at its " + GatewayService.ADDRESS_ATTRIBUTE + " attribute")
    String group;

    @Option(name = "-m", aliases = "--mode",
            description = "How traffic moves to it: instant (all at once; the default), session (new sessions, needs -t),"
                    + " gradual (a share of the requests, needs -p) or concurrent (mirrored and compared; the previous version answers)")
    @Completion(UpgradeModeCompleter.class)
    String mode = "instant";

    @Option(name = "-t", aliases = "--session-timeout", description = "session: how many seconds without a request end a session")
    Integer sessionTimeout;

    @Option(name = "-p", aliases = "--percentage", description = "gradual: the share of the requests it gets, 0 to 100 percent")
    Double percentage;

    @Option(name = "-d", aliases = "--duration",
            description = "gradual: grow its share from -p to 100 percent over this many seconds (a long-term update)")
    Long durationSeconds;

    @Override
    protected void run(GatewayService gateway) {
        UpgradeMode upgradeMode = parseMode();
        checkSettings(upgradeMode);
        if (servers.isEmpty() == (group == null)) {
            throw new IllegalArgumentException("name its servers (host:port ...) or its hub group (-g GROUP), one of the two");
        }
        servers.forEach(HostPort::parse); // a bad one fails the command, saying what an address looks like
        BackendVersion added = gateway.addVersion(route,
                new BackendVersion(null, version, servers, group, upgradeMode, sessionTimeout, percentage, durationSeconds, null, null));
        System.out.println(added.id());
        System.out.println("Added to route " + route + ": " + BackendVersions.summary(added));
    }

    private UpgradeMode parseMode() {
        try {
            return UpgradeMode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown mode '" + mode + "': use instant, session, gradual or concurrent");
        }
    }

    /** Each setting goes with one mode: a stray -t or -p most likely means a forgotten -m. */
    private void checkSettings(UpgradeMode upgradeMode) {
        if (upgradeMode == UpgradeMode.SESSION && (sessionTimeout == null || sessionTimeout <= 0)) {
            throw new IllegalArgumentException("mode session needs -t SECONDS, at least 1");
        }
        if (upgradeMode != UpgradeMode.SESSION && sessionTimeout != null) {
            throw new IllegalArgumentException("-t is for mode session only; add -m session");
        }
        if (upgradeMode == UpgradeMode.GRADUAL && (percentage == null || !(percentage >= 0 && percentage <= 100))) {
            throw new IllegalArgumentException("mode gradual needs -p PERCENTAGE, from 0 to 100");
        }
        if (upgradeMode != UpgradeMode.GRADUAL && (percentage != null || durationSeconds != null)) {
            throw new IllegalArgumentException("-p and -d are for mode gradual only; add -m gradual");
        }
    }

}
