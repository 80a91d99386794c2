package io.plinth.api.hub;

/** The answer to a unique-name request. */
public enum NameClaim {
    /** The instance owns the name now (or already did). */
    OWNER,
    /** The instance waits in the owner queue. */
    QUEUED,
    /** The name is owned by another instance and the request asked not to queue. */
    EXISTS
}
