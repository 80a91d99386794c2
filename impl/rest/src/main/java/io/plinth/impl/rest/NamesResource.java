package io.plinth.impl.rest;

import java.util.List;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /names/{name}}: who owns a unique name and who waits for it. */
@Component(service = NamesResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect(PlinthApplication.JSON)
@Path("names/{name}")
@Produces(MediaType.APPLICATION_JSON)
public final class NamesResource {

    /** A unique name, its owner (null when nobody owns it) and the instances queued after it. */
    public record Name(String name, String owner, List<String> queue) {
    }

    @Reference
    private Platform platform;

    @GET
    public Name get(@PathParam("name") String name) {
        List<String> queue = platform.hub().nameQueue(name);
        return queue.isEmpty() ? new Name(name, null, List.of()) : new Name(name, queue.get(0), queue.subList(1, queue.size()));
    }
}
