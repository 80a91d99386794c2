package io.plinth.impl.rest;

import java.util.List;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import io.plinth.api.discovery.DnsRecord;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /dns}: the records agents publish in the discovery zone (the hub's are derived, not listed here). */
@Component(service = DnsResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("dns")
@Produces(MediaType.APPLICATION_JSON)
public final class DnsResource extends Resource {

    /** Body of {@code PUT /dns/records/{name}/{type}}. */
    public record Values(List<String> values, Integer ttlSeconds) {
    }

    /** The zone and its published records. */
    public record Zone(String zone, List<DnsRecord> records) {
    }

    private static final int DEFAULT_TTL = 30;

    @Reference
    private Platform platform;

    @GET
    public Zone zone() {
        return new Zone(platform.discovery().zone(), platform.discovery().records());
    }

    @PUT
    @Path("records/{name}/{type}")
    public DnsRecord put(@PathParam("name") String name, @PathParam("type") String type, Values body) {
        Values given = required(body);
        return platform.discovery().put(new DnsRecord(name, type, given.values(), given.ttlSeconds() == null ? DEFAULT_TTL : given.ttlSeconds()));
    }

    @DELETE
    @Path("records/{name}/{type}")
    public Response remove(@PathParam("name") String name, @PathParam("type") String type) {
        platform.discovery().remove(name, type);
        return Response.noContent().build();
    }
}
