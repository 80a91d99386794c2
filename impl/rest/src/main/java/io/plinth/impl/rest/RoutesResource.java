package io.plinth.impl.rest;

import java.util.List;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.Route;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /routes}: the gateway's routes (by host and path prefix), the versions of their backends, and upgrades. */
@Component(service = RoutesResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("routes")
@Produces(MediaType.APPLICATION_JSON)
public final class RoutesResource extends Resource {

    /** Body of a rollback; the reason is optional. */
    public record Rollback(String reason) {
    }

    /** Body of {@code PUT /routes/{route}}: which requests the route takes. */
    public record Rule(String host, String pathPrefix) {
    }

    @Reference
    private Platform platform;

    @GET
    public List<Route> list() {
        return platform.gateway().routes();
    }

    @GET
    @Path("{route}")
    public Route show(@PathParam("route") String route) {
        return platform.gateway().route(route);
    }

    @PUT
    @Path("{route}")
    public Response add(@PathParam("route") String route, Rule rule) {
        Rule given = required(rule);
        Route added = platform.gateway().addRoute(new Route(route, given.host(), given.pathPrefix(), null));
        return Response.status(Response.Status.CREATED).entity(added).build();
    }

    @DELETE
    @Path("{route}")
    public Response remove(@PathParam("route") String route) {
        platform.gateway().removeRoute(route);
        return Response.noContent().build();
    }

    /** Starts an upgrade: a new version, with its mode; id and rollback fields are the gateway's. */
    @POST
    @Path("{route}/versions")
    public Response add(@PathParam("route") String route, BackendVersion version) {
        BackendVersion added = platform.gateway().addVersion(route, required(version));
        return Response.status(Response.Status.CREATED).entity(added).build();
    }

    @DELETE
    @Path("{route}/versions/{id}")
    public Response removeVersion(@PathParam("route") String route, @PathParam("id") String id) {
        platform.gateway().removeVersion(route, id);
        return Response.noContent().build();
    }

    @POST
    @Path("{route}/versions/{id}/promote")
    public Route promote(@PathParam("route") String route, @PathParam("id") String id) {
        return platform.gateway().promote(route, id);
    }

    @POST
    @Path("{route}/versions/{id}/rollback")
    public BackendVersion rollback(@PathParam("route") String route, @PathParam("id") String id, Rollback body) {
        return platform.gateway().rollback(route, id, body == null ? null : body.reason());
    }
}
