package io.plinth.impl.rest;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.QueryParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import io.plinth.api.component.Instance;
import io.plinth.api.component.InstanceSpec;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /instances}: create, inspect, terminate, destroy, link and monitor instances. */
@Component(service = InstancesResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("instances")
@Produces(MediaType.APPLICATION_JSON)
public final class InstancesResource extends Resource {

    /** Body of {@code POST /instances}. */
    public record Create(String type, String version, Integer count, Map<String, String> configuration,
                         List<String> groups, Long timeoutMs, String node) {
        InstanceSpec spec() {
            return new InstanceSpec(type, version, count == null ? 1 : count, configuration, groups,
                    timeoutMs == null ? null : Duration.ofMillis(timeoutMs), node);
        }
    }

    /** Body of terminate and destroy; both fields optional. */
    public record End(String reason, Long graceMs) {
    }

    @Reference
    private Platform platform;

    /** Every instance of the cluster, or ({@code ?node=NAME}) those one node hosts. */
    @GET
    public List<Instance> list(@QueryParam("node") String node) {
        return node == null ? platform.controller().instances() : platform.controller().instancesOn(node);
    }

    @POST
    public Response create(Create body) {
        List<Instance> created = platform.controller().create(required(body).spec());
        return Response.status(Response.Status.CREATED).entity(created).build();
    }

    @GET
    @Path("{id}")
    public Instance show(@PathParam("id") String id) {
        return platform.controller().instance(id);
    }

    @POST
    @Path("{id}/terminate")
    public Instance terminate(@PathParam("id") String id, End body) {
        return platform.controller().terminate(id, body == null ? null : body.reason());
    }

    @POST
    @Path("{id}/destroy")
    public Instance destroy(@PathParam("id") String id, End body) {
        Duration grace = body == null || body.graceMs() == null ? null : Duration.ofMillis(body.graceMs());
        return platform.controller().destroy(id, body == null ? null : body.reason(), grace);
    }

    @PUT
    @Path("{id}/links/{other}")
    public Response link(@PathParam("id") String id, @PathParam("other") String other) {
        platform.controller().link(id, other);
        return Response.noContent().build();
    }

    @DELETE
    @Path("{id}/links/{other}")
    public Response unlink(@PathParam("id") String id, @PathParam("other") String other) {
        platform.controller().unlink(id, other);
        return Response.noContent().build();
    }

    @PUT
    @Path("{id}/monitors/{target}")
    public Response monitor(@PathParam("id") String id, @PathParam("target") String target) {
        platform.controller().monitor(id, target);
        return Response.noContent().build();
    }

    @DELETE
    @Path("{id}/monitors/{target}")
    public Response demonitor(@PathParam("id") String id, @PathParam("target") String target) {
        platform.controller().demonitor(id, target);
        return Response.noContent().build();
    }
}
