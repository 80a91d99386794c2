package io.plinth.api.gateway;

/** How traffic moves from a backend's previous version to a new one (seed 003 §6.1). */
public enum UpgradeMode {
    /** Every request goes to the new version at once. */
    INSTANT,
    /** New sessions go to the new version; a session stays on the version it began on. */
    SESSION,
    /** A share of the requests goes to the new version. */
    GRADUAL,
    /** The previous version answers; requests are mirrored to the new one, whose answers are compared. */
    CONCURRENT
}
