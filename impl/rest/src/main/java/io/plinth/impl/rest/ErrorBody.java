package io.plinth.impl.rest;

import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

/**
 * The JSON body of every error answer.
 *
 * @param status  the HTTP status
 * @param error   the platform's reason (NOT_FOUND, CONFLICT, ...) or the HTTP reason phrase
 * @param message what went wrong, for a person
 */
record ErrorBody(int status, String error, String message) {

    Response toResponse() {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(this).build();
    }
}
