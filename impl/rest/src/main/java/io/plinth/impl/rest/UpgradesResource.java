package io.plinth.impl.rest;

import java.util.List;

import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import io.plinth.api.platform.UpgradePlan;
import io.plinth.api.platform.UpgradeStatus;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/**
 * {@code /platform/upgrades}: upgrading the platform to another build, this node or the cluster
 * node by node; a dry run answers the plans and changes nothing.
 */
@Component(service = UpgradesResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("platform/upgrades")
@Produces(MediaType.APPLICATION_JSON)
public final class UpgradesResource extends Resource {

    /** Body of {@code POST /platform/upgrades}: the build's version; the flags may be left out (false). */
    public record UpgradeRequest(String version, Boolean dryRun, Boolean cluster, Boolean force) {
    }

    @Reference
    private Platform platform;

    /**
     * A dry run: 200 with one plan per node. Otherwise 202 with the upgrade just started (follow it
     * with {@code GET /platform/upgrades/current}); 409 when a plan would refresh bundles beyond the
     * platform's and {@code force} is not set, or when an upgrade is running.
     */
    @POST
    public Response upgrade(UpgradeRequest body) {
        UpgradeRequest request = required(body);
        boolean cluster = Boolean.TRUE.equals(request.cluster());
        if (Boolean.TRUE.equals(request.dryRun())) {
            List<UpgradePlan> plans = platform.upgrades().plan(request.version(), cluster);
            return Response.ok(plans).build();
        }
        UpgradeStatus started = platform.upgrades().start(request.version(), cluster, Boolean.TRUE.equals(request.force()));
        return Response.status(Response.Status.ACCEPTED).entity(started).build();
    }

    /** The running or last upgrade started on this node. */
    @GET
    @Path("current")
    public UpgradeStatus current() {
        return platform.upgrades().status();
    }
}
