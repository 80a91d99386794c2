package io.plinth.api.platform;

/** Where an upgrade, or one node's part of it, stands. */
public enum UpgradeState {
    /** Not started yet (a node waiting for its turn). */
    PENDING,
    RUNNING,
    /** Upgraded and healthy (for a whole upgrade: on every node). */
    SUCCEEDED,
    /** Not healthy on the new build, so put back on the build it ran, and healthy again. */
    ROLLED_BACK,
    /** Failed, and not (or not entirely) rolled back: see the message. */
    FAILED,
    /** Left alone because a node before it failed. */
    SKIPPED
}
