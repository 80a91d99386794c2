package io.plinth.api.cluster;

/** A node's state in the cluster (seed 000 §4.5.2). */
public enum NodeState {
    /** In the view, taking work. */
    AVAILABLE,
    /** In the view and running, but its instances are skipped by selectors (maintenance): marked so by an admin. */
    UNAVAILABLE,
    /** Left the view after saying so: stopped. */
    OFFLINE,
    /** Left the view without a word: crashed, frozen or cut off. */
    FAILED,
    /**
     * Being decommissioned: in the view, its instances still serving while they move to other
     * nodes one by one; it takes no new instance.
     */
    DESTROYING,
    /** Decommissioned: drained, left the cluster for good and forgot its membership. */
    DESTROYED
}
