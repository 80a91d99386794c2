package io.plinth.api.gateway;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The gateway's routes and the upgrade of their backends. Every method fails with
 * {@link io.plinth.api.error.PlinthException} (NOT_FOUND for an unknown route or version,
 * INVALID for bad input).
 */
@ProviderType
public interface GatewayService {

    /**
     * The instance attribute where a member of a backend group publishes where it answers HTTP,
     * {@code host:port}; members without it, or unavailable, get no traffic.
     */
    String ADDRESS_ATTRIBUTE = "http.address";

    List<Route> routes();

    Route route(String name);

    /** Adds a route (its versions are added afterwards); CONFLICT when the name or host and prefix are taken. */
    Route addRoute(Route route);

    /** Removes a route and its versions; the default route cannot be removed. */
    void removeRoute(String name);

    /** Adds a version to a route's backend; traffic moves to it as its mode says. */
    BackendVersion addVersion(String route, BackendVersion version);

    /** Removes a version; its traffic goes to the versions left. */
    void removeVersion(String route, String versionId);

    /** Makes a version the only one: every other version of the route is removed. */
    Route promote(String route, String versionId);

    /** Takes all traffic away from a version (manual rollback, or abort of an upgrade). */
    BackendVersion rollback(String route, String versionId, String reason);
}
