package io.plinth.impl.gateway;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One version of a backend set, exactly as the 003 seed's {@code /configuration/cluster} API
 * describes it (appendix 10.1): servers, a version number, and how traffic moves to it.
 *
 * @param servers           the backends, each {@code ip} (or host name) and {@code port}
 * @param version           the version; the highest is the newest (default 0)
 * @param upgradeTransition how traffic moves from the previous version to this one (default INSTANT)
 * @param uuid              the id the gateway gave it
 * @param rolledBack        set by the gateway when it took all traffic away from this version
 *                          (beyond the seed's API: absent until it happens)
 * @param route             the route whose backend this is a version of (beyond the seed's API:
 *                          absent for the default route, the only one the seed knows)
 * @param group             beyond the seed's API, instead of servers: the hub group whose
 *                          available members serve this version (see {@link GroupServers})
 * @param addedMillis       when the gateway added it (set by the gateway)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Cluster(List<Server> servers, Double version, UpgradeTransition upgradeTransition, String uuid,
                      RolledBack rolledBack, String route, String group, Long addedMillis) {

    public Cluster {
        servers = servers == null ? List.of() : List.copyOf(servers);
        group = group == null || group.isBlank() ? null : group;
        version = version == null ? 0.0 : version;
        upgradeTransition = upgradeTransition == null ? new UpgradeTransition(Mode.INSTANT, null, null, null) : upgradeTransition;
    }

    /** This version as the gateway keeps it: with its id and the time it was added. */
    public Cluster added(String id, long millis) {
        return new Cluster(servers, version, upgradeTransition, id, rolledBack, route, group, millis);
    }

    public Cluster withRolledBack(RolledBack why) {
        return new Cluster(servers, version, upgradeTransition, uuid, why, route, group, addedMillis);
    }

    /** The route's name; the default route when none is named. */
    String routeName() {
        return route == null ? io.plinth.api.gateway.Route.DEFAULT : route;
    }

    /** Whether the gateway still sends this version traffic. */
    boolean serving() {
        return rolledBack == null;
    }

    /** When and why the gateway stopped sending this version traffic. */
    public record RolledBack(String at, String reason) {
    }

    /** A backend server. */
    public record Server(String ip, Integer port) {
        /** Checks what Jackson cannot: both fields present, port in range. */
        void validate() {
            if (ip == null || ip.isBlank()) {
                throw new IllegalArgumentException("cluster.servers[i].ip is required");
            }
            if (port == null || port < 1 || port > 65535) {
                throw new IllegalArgumentException("cluster.servers[i].port must be 1 to 65535, not " + port);
            }
        }
    }

    /** The upgrade modes of seed 003 §6.1. */
    public enum Mode { INSTANT, SESSION, GRADUAL, CONCURRENT }

    /**
     * How traffic moves to this version.
     *
     * @param mode                           INSTANT, SESSION, GRADUAL or CONCURRENT
     * @param sessionTimeout                 SESSION: seconds without a request after which a client starts a new session
     * @param percentageTransitionPerRequest GRADUAL: the share of requests, in percent, this version gets
     * @param durationSeconds                GRADUAL, beyond the seed's API: when set, the share grows
     *                                       evenly to 100 % over this many seconds after the version
     *                                       was added (the seed's "Long Term Update")
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UpgradeTransition(Mode mode, Integer sessionTimeout, Double percentageTransitionPerRequest,
                                    Long durationSeconds) {
        public UpgradeTransition {
            mode = mode == null ? Mode.INSTANT : mode;
        }

        /** GRADUAL: the share of requests, in percent, a version added at {@code addedMillis} gets now. */
        double share(long addedMillis, long nowMillis) {
            double start = percentageTransitionPerRequest;
            if (durationSeconds == null || durationSeconds <= 0) {
                return start;
            }
            double done = Math.min(1.0, Math.max(0, nowMillis - addedMillis) / (durationSeconds * 1000.0));
            return start + (100.0 - start) * done;
        }
    }

    /** Checks the whole configuration; throws IllegalArgumentException with a message for a person. */
    void validate() {
        if (rolledBack != null || addedMillis != null) {
            throw new IllegalArgumentException("rolledBack and addedMillis are set by the gateway, not by a request");
        }
        servers.forEach(Server::validate);
        if (group != null && !servers.isEmpty()) {
            throw new IllegalArgumentException("a cluster is served by its servers or by a hub group, not both");
        }
        Mode mode = upgradeTransition.mode();
        if (mode == Mode.SESSION && (upgradeTransition.sessionTimeout() == null || upgradeTransition.sessionTimeout() <= 0)) {
            throw new IllegalArgumentException("mode SESSION needs cluster.upgradeTransition.sessionTimeout (seconds, > 0)");
        }
        Double percentage = upgradeTransition.percentageTransitionPerRequest();
        if (mode == Mode.GRADUAL && (percentage == null || percentage < 0 || percentage > 100)) {
            throw new IllegalArgumentException("mode GRADUAL needs cluster.upgradeTransition.percentageTransitionPerRequest (0 to 100)");
        }
        Long duration = upgradeTransition.durationSeconds();
        if (duration != null && (mode != Mode.GRADUAL || duration <= 0)) {
            throw new IllegalArgumentException("cluster.upgradeTransition.durationSeconds is for mode GRADUAL, and positive");
        }
    }
}
