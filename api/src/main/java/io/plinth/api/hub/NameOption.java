package io.plinth.api.hub;

/** What to do when a unique name is already owned (D-Bus RequestName flags). */
public enum NameOption {
    /** Take the name from its owner; the previous owner goes first in the queue. */
    REPLACE,
    /** Wait in the owner queue; own the name when everyone before has released it. */
    QUEUE,
    /** Fail when the name is owned. */
    DO_NOT_QUEUE
}
