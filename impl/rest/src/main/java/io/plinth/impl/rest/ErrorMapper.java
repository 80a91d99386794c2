package io.plinth.impl.rest;

import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import io.plinth.api.error.PlinthException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure into a JSON error with the right status: bad input is a 4xx, never a 500. */
@Component(service = ExceptionMapper.class)
@JaxrsExtension
@JaxrsApplicationSelect(PlinthApplication.SELECT)
public final class ErrorMapper implements ExceptionMapper<Exception> {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    @Override
    public Response toResponse(Exception exception) {
        return body(exception).toResponse();
    }

    static ErrorBody body(Throwable exception) {
        if (exception instanceof PlinthException e) {
            if (e.reason().httpStatus() >= 500) {
                LOG.warn("REST request failed: {}", e.getMessage(), e);
            }
            return new ErrorBody(e.reason().httpStatus(), e.reason().name(), e.getMessage());
        }
        if (exception instanceof IllegalArgumentException e) {
            return new ErrorBody(400, "INVALID", e.getMessage());
        }
        if (exception instanceof ValueInstantiationException e && e.getCause() != null) {
            return new ErrorBody(400, "INVALID", e.getCause().getMessage());
        }
        if (exception instanceof UnrecognizedPropertyException e) {
            return new ErrorBody(400, "INVALID", "unknown field '" + e.getPropertyName() + "'; known: " + e.getKnownPropertyIds());
        }
        if (exception instanceof JsonProcessingException e) {
            return new ErrorBody(400, "INVALID", "malformed JSON: " + e.getOriginalMessage());
        }
        if (exception instanceof WebApplicationException e) {
            Response.StatusType status = e.getResponse().getStatusInfo();
            return new ErrorBody(status.getStatusCode(), status.getReasonPhrase(), e.getMessage());
        }
        LOG.error("Unexpected failure in the REST API", exception);
        return new ErrorBody(500, "INTERNAL", exception.toString());
    }
}
