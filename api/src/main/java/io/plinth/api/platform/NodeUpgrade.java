package io.plinth.api.platform;

/**
 * One node's part of an upgrade: its state, how long it took in milliseconds (until healthy, or
 * until rolled back), what went wrong if anything, and the plan it carried out.
 */
public record NodeUpgrade(String node, UpgradeState state, long millis, String message, UpgradePlan plan) {
}
