package io.plinth.impl.rest;

import java.time.Duration;
import java.util.List;

import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import io.plinth.api.cluster.ClusterInfo;
import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.JoinToken;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /cluster}: this node's membership; initializing a cluster, join tokens, joining one. */
@Component(service = ClusterResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("cluster")
@Produces(MediaType.APPLICATION_JSON)
public final class ClusterResource extends Resource {

    /** Body of {@code POST /cluster}. */
    public record Initialize(String name) {
    }

    /** Body of {@code POST /cluster/tokens}; without it, or without ttlSeconds, a token lasts 10 minutes. */
    public record TokenRequest(Long ttlSeconds) {
    }

    /** Body of {@code POST /cluster/join}. */
    public record Join(String token) {
    }

    @Reference
    private Platform platform;

    @GET
    public ClusterInfo info() {
        return platform.cluster().info();
    }

    @GET
    @Path("members")
    public List<ClusterMember> members() {
        return platform.cluster().members();
    }

    /** Marks a node available again (seed 000 §4.5.2). */
    @POST
    @Path("members/{node}/available")
    public ClusterMember markAvailable(@PathParam("node") String node) {
        return platform.cluster().markAvailable(node, true);
    }

    /** Marks a node unavailable: its instances run on, but no selector picks them. */
    @POST
    @Path("members/{node}/unavailable")
    public ClusterMember markUnavailable(@PathParam("node") String node) {
        return platform.cluster().markAvailable(node, false);
    }

    /**
     * Decommissions a node: 202 with it in state {@code destroying}; its instances move to the
     * others, then it leaves for good ({@code destroyed} in {@code GET /cluster/members}).
     */
    @POST
    @Path("members/{node}/decommission")
    public Response decommission(@PathParam("node") String node) {
        return Response.status(Response.Status.ACCEPTED).entity(platform.cluster().decommission(node)).build();
    }

    @POST
    public Response initialize(Initialize body) {
        ClusterInfo info = platform.cluster().initialize(required(body).name());
        return Response.status(Response.Status.CREATED).entity(info).build();
    }

    @POST
    @Path("tokens")
    public Response token(TokenRequest body) {
        Duration ttl = body == null || body.ttlSeconds() == null ? null : Duration.ofSeconds(body.ttlSeconds());
        JoinToken token = platform.cluster().issueToken(ttl);
        return Response.status(Response.Status.CREATED).entity(token).build();
    }

    @POST
    @Path("join")
    public ClusterInfo join(Join body) {
        return platform.cluster().join(required(body).token());
    }
}
