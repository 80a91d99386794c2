package io.plinth.api.error;

/** The one exception platform services throw: a {@link Reason} plus a message meant for a person. */
public class PlinthException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public PlinthException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PlinthException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static PlinthException invalid(String message) {
        return new PlinthException(Reason.INVALID, message);
    }

    public static PlinthException notFound(String message) {
        return new PlinthException(Reason.NOT_FOUND, message);
    }

    public static PlinthException conflict(String message) {
        return new PlinthException(Reason.CONFLICT, message);
    }
}
