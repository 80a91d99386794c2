package io.plinth.impl.rest;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Selector;
import io.plinth.api.hub.Target;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/** {@code /calls} and {@code /casts}: send requests to components through the hub. */
@Component(service = CallsResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public final class CallsResource extends Resource {

    /**
     * Body of a call or cast. {@code target} reads {@code instance:ID}, {@code group:NAME} or
     * {@code name:NAME}; attachments are base64; {@code expiryMs} defaults to 5000.
     */
    public record Call(String target, String selector, String object, String operation, Map<String, String> inputs,
                       Map<String, byte[]> attachments, Long expiryMs) {
        Request request() {
            if (target == null) {
                throw new IllegalArgumentException("a call needs a target (instance:ID, group:NAME or name:NAME)");
            }
            if (expiryMs != null && expiryMs < 0) {
                throw new IllegalArgumentException("expiryMs must not be negative");
            }
            Request.Builder builder = Request.to(Target.parse(target))
                    .selector(selector == null ? Selector.ANY : Selector.parse(selector))
                    .object(object).operation(operation).caller("rest")
                    .expiresIn(expiryMs == null ? Request.DEFAULT_EXPIRY : Duration.ofMillis(expiryMs));
            if (inputs != null) {
                builder.inputs(inputs);
            }
            if (attachments != null) {
                attachments.forEach(builder::attachment);
            }
            return builder.build();
        }
    }

    @Reference
    private Platform platform;

    @POST
    @Path("calls")
    public List<Reply> call(Call body) {
        return platform.hub().call(required(body).request());
    }

    @POST
    @Path("casts")
    public Response cast(Call body) {
        platform.hub().cast(required(body).request());
        return Response.accepted().build();
    }
}
