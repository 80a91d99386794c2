package io.plinth.api.platform;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Upgrades the platform to another build: a version of the platform's features repository
 * ({@code mvn:io.plinth/plinth-features/VERSION/xml/features}). Platform bundles are updated one at
 * a time, live, each replaced the way {@code bundle:update} does it; then the node's health is
 * checked (every platform bundle active, every platform service back, the cluster view whole) and
 * anything short of that rolls the node back to the build it ran. Every method fails with
 * {@link io.plinth.api.error.PlinthException}: INVALID for a malformed or snapshot version,
 * NOT_FOUND when the build cannot be fetched.
 */
@ProviderType
public interface PlatformUpgrades {

    /**
     * What upgrading to {@code version} would do on this node and, with {@code cluster}, on every
     * other node of the view (this node first); changes nothing. UNAVAILABLE when another node
     * does not answer.
     */
    List<UpgradePlan> plan(String version, boolean cluster);

    /**
     * Starts upgrading this node to {@code version} or, with {@code cluster}, every node of the
     * view one after the other (this node first), stopping at the first node that does not come
     * back healthy (it is rolled back; the nodes after it are left alone). Returns at once; {@link
     * #status()} follows it. REFUSED when a plan refreshes bundles beyond the platform's and
     * {@code force} is false; CONFLICT while an upgrade runs.
     */
    UpgradeStatus start(String version, boolean cluster, boolean force);

    /** The running or last upgrade started on this node; NOT_FOUND when there was none. */
    UpgradeStatus status();
}
