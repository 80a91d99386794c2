package io.plinth.impl.rest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import io.plinth.api.credentials.Credential;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/**
 * {@code /credentials}: the credentials service. Secrets go in once and never come out: listings
 * show shareable data and the names of secret fields, operations answer their outputs.
 */
@Component(service = CredentialsResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("credentials")
@Produces(MediaType.APPLICATION_JSON)
public final class CredentialsResource extends Resource {

    /** Body of {@code POST /credentials}. */
    public record Add(String name, String module, Map<String, String> shareable, Map<String, String> secrets) {
        @Override
        public String toString() { // whoever logs a request body logs no secret
            return "Add[name=" + name + ", module=" + module + ", shareable=" + shareable + ", secrets="
                    + (secrets == null ? "none" : secrets.keySet()) + "]";
        }
    }

    /** Body of {@code POST /credentials/{name}/{operation}}. */
    public record Run(Map<String, String> inputs) {
    }

    @Reference
    private Platform platform;

    @GET
    public List<Credential> list() {
        return platform.credentials().list();
    }

    @GET
    @Path("modules")
    public Map<String, List<String>> modules() {
        return platform.credentials().modules();
    }

    @POST
    public Response add(@Context SecurityContext caller, Add body) {
        Add add = required(body);
        Map<String, char[]> secrets = new TreeMap<>();
        if (add.secrets() != null) {
            add.secrets().forEach((field, secret) -> secrets.put(field, secret == null ? null : secret.toCharArray()));
        }
        Credential added = platform.credentials().add(caller.getUserPrincipal().getName(), add.name(), add.module(), add.shareable(), secrets);
        return Response.status(Response.Status.CREATED).entity(added).build();
    }

    @GET
    @Path("{name}")
    public Credential show(@PathParam("name") String name) {
        return platform.credentials().credential(name);
    }

    @DELETE
    @Path("{name}")
    public Response remove(@Context SecurityContext caller, @PathParam("name") String name) {
        platform.credentials().remove(caller.getUserPrincipal().getName(), name);
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/{operation}")
    public Map<String, String> run(@Context SecurityContext caller, @PathParam("name") String name, @PathParam("operation") String operation,
                                   Run body) {
        return platform.credentials().run(caller.getUserPrincipal().getName(), name, operation, body == null ? Map.of() : body.inputs());
    }
}
