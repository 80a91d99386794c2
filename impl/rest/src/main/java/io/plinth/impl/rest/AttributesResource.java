package io.plinth.impl.rest;

import java.util.Map;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import io.plinth.api.hub.Target;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /attributes/{target}}: attributes of an instance ({@code instance:ID}) or a group ({@code group:NAME}). */
@Component(service = AttributesResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("attributes/{target}")
@Produces(MediaType.APPLICATION_JSON)
public final class AttributesResource extends Resource {

    /** Body of {@code PUT /attributes/{target}/{name}}. */
    public record Value(String value) {
    }

    @Reference
    private Platform platform;

    @GET
    public Map<String, String> get(@PathParam("target") String target) {
        return platform.hub().attributes(Target.parse(target));
    }

    @PUT
    @Path("{name}")
    public Response put(@PathParam("target") String target, @PathParam("name") String name, Value body) {
        if (required(body).value() == null) {
            throw new IllegalArgumentException("the body needs a value; DELETE removes an attribute");
        }
        platform.hub().putAttribute(Target.parse(target), name, body.value());
        return Response.noContent().build();
    }

    @DELETE
    @Path("{name}")
    public Response remove(@PathParam("target") String target, @PathParam("name") String name) {
        platform.hub().putAttribute(Target.parse(target), name, null);
        return Response.noContent().build();
    }
}
