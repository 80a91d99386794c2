package io.plinth.impl.shell;

import java.time.Duration;
import java.util.List;

import io.plinth.api.platform.BundleChange;
import io.plinth.api.platform.NodeUpgrade;
import io.plinth.api.platform.PlatformUpgrades;
import io.plinth.api.platform.UpgradePlan;
import io.plinth.api.platform.UpgradeState;
import io.plinth.api.platform.UpgradeStatus;
import io.plinth.support.ServiceProxy;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "platform-upgrade",
        description = "Upgrades the platform to another build (mvn:io.plinth/plinth-features/VERSION/xml/features): this node, or with"
                + " --cluster every node one after the other, each rolled back unless healthy; --dry-run shows what would change")
public class PlatformUpgradeCommand extends PlatformCommand<PlatformUpgrades> {

    /** How long it follows an upgrade before leaving it to plinth:platform-upgrade-status. */
    private static final Duration FOLLOW = Duration.ofMinutes(30);

    @Argument(index = 0, name = "version", required = true, description = "The platform build, e.g. 0.2.0")
    String version;

    @Option(name = "--dry-run", description = "Only list what would be installed, updated, uninstalled and refreshed")
    boolean dryRun;

    @Option(name = "--cluster", description = "Every node of the cluster, this one first, one after the other")
    boolean cluster;

    @Option(name = "--force", description = "Go on although bundles beyond the platform's would be refreshed (restarted)")
    boolean force;

    public PlatformUpgradeCommand() {
        super(PlatformUpgrades.class);
    }

    @Override
    protected void run(PlatformUpgrades upgrades) {
        if (dryRun) {
            upgrades.plan(version, cluster).forEach(PlatformUpgradeCommand::printPlan);
            return;
        }
        UpgradeStatus status = upgrades.start(version, cluster, force);
        printStatus(status);
        // This shell bundle is itself replaced during the upgrade: follow through the framework's context, which outlives it.
        try (ServiceProxy<PlatformUpgrades> following = new ServiceProxy<>(bundleContext.getBundle(0).getBundleContext(),
                PlatformUpgrades.class, Duration.ofSeconds(60))) {
            long deadline = System.nanoTime() + FOLLOW.toNanos();
            String shown = status.toString();
            while (!status.ended() && System.nanoTime() - deadline < 0) {
                Thread.sleep(1000);
                status = following.get().status();
                if (!status.toString().equals(shown)) {
                    printStatus(status);
                    shown = status.toString();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!status.ended()) {
            System.out.println("Still running: plinth:platform-upgrade-status follows it");
        } else if (status.state() != UpgradeState.SUCCEEDED) {
            throw new IllegalStateException("the upgrade to " + version + " failed: " + status.state());
        }
    }

    static void printPlan(UpgradePlan plan) {
        System.out.println("Node " + plan.node() + ": platform " + plan.fromVersion() + " -> " + plan.toVersion() + " (" + plan.repository() + ")");
        if (plan.unchanged()) {
            System.out.println("  nothing to change");
            return;
        }
        printChanges("Install", plan.install());
        printChanges("Update", plan.update());
        printChanges("Uninstall", plan.uninstall());
        printChanges("Refresh", plan.refresh());
        if (!plan.features().isEmpty()) {
            System.out.println("  Features to install: " + Tables.joined(plan.features()));
        }
        if (plan.refused()) {
            System.out.println("  REFUSED without --force: it would refresh (restart) bundles that are not the platform's: "
                    + Tables.joined(plan.refreshBeyondPlatform()));
        }
    }

    private static void printChanges(String what, List<BundleChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        System.out.println("  " + what + ":");
        ShellTable table = Tables.table("", "Bundle", "From", "To", "From where / why");
        for (BundleChange change : changes) {
            table.addRow().addContent(change.symbolicName(), orDash(change.fromVersion()), orDash(change.toVersion()), change.detail());
        }
        Tables.print(table);
    }

    static void printStatus(UpgradeStatus status) {
        System.out.println("Upgrade to " + status.version() + (status.cluster() ? " (cluster)" : "") + ": " + Tables.lower(status.state()));
        ShellTable table = Tables.table("", "Node", "State", "Seconds", "Message");
        for (NodeUpgrade node : status.nodes()) {
            table.addRow().addContent(node.node(), Tables.lower(node.state()), String.format("%.1f", node.millis() / 1000.0), orDash(node.message()));
        }
        Tables.print(table);
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
