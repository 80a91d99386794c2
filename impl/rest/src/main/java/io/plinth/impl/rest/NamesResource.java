package io.plinth.impl.rest;

import java.util.List;
import java.util.Locale;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import io.plinth.api.hub.NameClaim;
import io.plinth.api.hub.NameOption;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /names/{name}}: who owns a unique name and who waits for it; claims and releases. */
@Component(service = NamesResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("names/{name}")
@Produces(MediaType.APPLICATION_JSON)
public final class NamesResource {

    /** A unique name, its owner (null when nobody owns it) and the instances queued after it. */
    public record Name(String name, String owner, List<String> queue) {
    }

    @Reference
    private Platform platform;

    /** The answer to a claim: OWNER, QUEUED or EXISTS, and the name as it stands now. */
    public record Claim(NameClaim claim, Name name) {
    }

    @GET
    public Name get(@PathParam("name") String name) {
        List<String> queue = platform.hub().nameQueue(name);
        return queue.isEmpty() ? new Name(name, null, List.of()) : new Name(name, queue.get(0), queue.subList(1, queue.size()));
    }

    /** Claims the name for an instance; {@code ?option=} replace, queue or do-not-queue (the default). */
    @PUT
    @Path("queue/{id}")
    public Claim claim(@PathParam("name") String name, @PathParam("id") String id, @QueryParam("option") String option) {
        NameClaim claim = platform.hub().claimName(name, id, option(option));
        return new Claim(claim, get(name));
    }

    private static NameOption option(String text) {
        if (text == null) {
            return NameOption.DO_NOT_QUEUE;
        }
        try {
            return NameOption.valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown option '" + text + "': use replace, queue or do-not-queue");
        }
    }

    /** Releases the name, or leaves its queue. */
    @DELETE
    @Path("queue/{id}")
    public Name release(@PathParam("name") String name, @PathParam("id") String id) {
        platform.hub().releaseName(name, id);
        return get(name);
    }
}
