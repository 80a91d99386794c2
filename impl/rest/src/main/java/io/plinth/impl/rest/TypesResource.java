package io.plinth.impl.rest;

import java.util.List;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import io.plinth.api.component.ComponentType;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /types}: component types. */
@Component(service = TypesResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("types")
@Produces(MediaType.APPLICATION_JSON)
public final class TypesResource extends Resource {

    @Reference
    private Platform platform;

    @GET
    public List<ComponentType> list() {
        return platform.controller().types();
    }

    @POST
    public Response register(ComponentType type) {
        ComponentType registered = platform.controller().registerType(required(type));
        return Response.status(Response.Status.CREATED).entity(registered).build();
    }

    @GET
    @Path("{name}/{version}")
    public ComponentType show(@PathParam("name") String name, @PathParam("version") String version) {
        return platform.controller().type(name, version);
    }

    @DELETE
    @Path("{name}/{version}")
    public Response unregister(@PathParam("name") String name, @PathParam("version") String version) {
        platform.controller().unregisterType(name, version);
        return Response.noContent().build();
    }
}
