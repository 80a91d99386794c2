package io.plinth.impl.rest;

import java.util.List;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import io.plinth.api.hub.Hub;
import io.plinth.api.hub.Member;
import io.plinth.api.hub.Selector;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /groups}: discovery through the hub. */
@Component(service = GroupsResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("groups")
@Produces(MediaType.APPLICATION_JSON)
public final class GroupsResource extends Resource {

    /** A group and its size. */
    public record Group(String group, int members) {
    }

    @Reference
    private Platform platform;

    @GET
    public List<Group> groups() {
        Hub hub = platform.hub();
        return hub.groups().stream().sorted().map(g -> new Group(g, hub.members(g).size())).toList();
    }

    /** An admin adds an instance to a group (a component would call the hub itself). */
    @PUT
    @Path("{group}/members/{id}")
    public Group join(@PathParam("group") String group, @PathParam("id") String id) {
        return new Group(group, platform.hub().register(id, group));
    }

    @DELETE
    @Path("{group}/members/{id}")
    public Group leave(@PathParam("group") String group, @PathParam("id") String id) {
        return new Group(group, platform.hub().unregister(id, group));
    }

    /** Members of a group; with {@code ?selector=} only those the selector picks. */
    @GET
    @Path("{group}/members")
    public List<Member> members(@PathParam("group") String group, @QueryParam("selector") String selector) {
        Hub hub = platform.hub();
        return selector == null ? hub.members(group) : hub.select(group, Selector.parse(selector));
    }
}
