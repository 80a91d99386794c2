package io.plinth.impl.rest;

import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtension;

/**
 * JSON bodies for the runtime's own errors (unknown path, wrong method, wrong media type):
 * JAX-RS prefers the most specific mapper, so these need a mapper of their own type.
 */
@Component(service = ExceptionMapper.class)
@JaxrsExtension
@JaxrsApplicationSelect(PlinthApplication.SELECT)
public final class WebErrorMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException exception) {
        Response response = exception.getResponse();
        if (response != null && response.getEntity() instanceof ErrorBody) {
            return response;
        }
        return ErrorMapper.body(exception).toResponse();
    }
}
