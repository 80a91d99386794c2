package io.plinth.api.platform;

/**
 * One bundle in an {@link UpgradePlan}: its symbolic name, the version installed (null for an
 * install), the version it gets (null for an uninstall, the same for a refresh), and where it
 * comes from or, for a refresh, why.
 */
public record BundleChange(String symbolicName, String fromVersion, String toVersion, String detail) {
}
