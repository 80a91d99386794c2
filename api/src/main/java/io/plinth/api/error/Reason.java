package io.plinth.api.error;

/** Why a platform operation failed; every interface maps it the same way (REST: the HTTP status). */
public enum Reason {
    /** The input is malformed or violates a rule (bad version, empty name, ...). */
    INVALID(400),
    /** The named type, instance, group or name does not exist. */
    NOT_FOUND(404),
    /** The operation clashes with existing state (duplicate type, instances still running, ...). */
    CONFLICT(409),
    /** The caller may not do this (a join token that is used, expired or unknown; a certificate of another CA). */
    DENIED(403),
    /** The component was asked politely and said no (terminate refused, name taken). */
    REFUSED(409),
    /** The request expired before it could be fulfilled. */
    TIMEOUT(504),
    /** The platform service needed is not available right now; retrying later may succeed. */
    UNAVAILABLE(503),
    /** The component failed while handling the request. */
    FAILED(502);

    private final int httpStatus;

    Reason(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
