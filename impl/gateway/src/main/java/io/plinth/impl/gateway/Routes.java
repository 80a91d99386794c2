package io.plinth.impl.gateway;

import java.util.List;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.gateway.Route;
import io.plinth.api.gateway.UpgradeMode;
import io.plinth.support.HostPort;

/**
 * The platform's form of the gateway's configuration (REST, shell). The 003 seed's clusters are
 * the versions of the route {@value Route#DEFAULT}; other routes take requests by host and path.
 */
final class Routes implements GatewayService {

    private final Clusters clusters;

    Routes(Clusters clusters) {
        this.clusters = clusters;
    }

    @Override
    public List<Route> routes() {
        return clusters.rules().stream().map(this::view).toList();
    }

    @Override
    public Route route(String name) {
        return view(rule(name));
    }

    @Override
    public Route addRoute(Route route) {
        if (route == null) {
            throw PlinthException.invalid("a route is needed");
        }
        try {
            clusters.addRoute(new Clusters.Rule(route.name(), route.host(), route.pathPrefix()));
        } catch (IllegalStateException e) {
            throw PlinthException.conflict(e.getMessage());
        }
        return route(route.name());
    }

    @Override
    public void removeRoute(String name) {
        if (Route.DEFAULT.equals(name)) {
            throw PlinthException.conflict("the route " + Route.DEFAULT + " cannot be removed");
        }
        if (!clusters.removeRoute(name)) {
            throw PlinthException.notFound("no route " + name);
        }
    }

    @Override
    public BackendVersion addVersion(String route, BackendVersion version) {
        rule(route);
        if (version == null) {
            throw PlinthException.invalid("a version is needed");
        }
        if (version.servers().isEmpty() == (version.group() == null)) {
            throw PlinthException.invalid("a version is served either by servers (host:port) or by a hub group");
        }
        List<Cluster.Server> servers = version.servers().stream().map(Routes::server).toList();
        Cluster cluster = new Cluster(servers, version.version(), new Cluster.UpgradeTransition(
                Cluster.Mode.valueOf(version.mode().name()), version.sessionTimeout(), version.percentage(), version.durationSeconds()),
                null, null, Route.DEFAULT.equals(route) ? null : route, version.group(), null);
        try {
            return version(clusters.get(clusters.add(cluster)).orElseThrow());
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid(e.getMessage());
        }
    }

    @Override
    public void removeVersion(String route, String versionId) {
        version(route, versionId);
        clusters.remove(versionId);
    }

    @Override
    public Route promote(String route, String versionId) {
        version(route, versionId);
        for (Cluster other : clusters.all()) {
            if (other.routeName().equals(route) && !other.uuid().equals(versionId)) {
                clusters.remove(other.uuid());
            }
        }
        clusters.reinstate(versionId); // the only version left serves, even if it was rolled back
        return route(route);
    }

    @Override
    public BackendVersion rollback(String route, String versionId, String reason) {
        Cluster target = version(route, versionId);
        String why = reason == null || reason.isBlank() ? "rolled back by an admin" : reason;
        if (!clusters.rollBack(versionId, why) && target.serving()) {
            throw new PlinthException(Reason.CONFLICT, "version " + versionId + " is the last one serving route " + route
                    + "; add or promote another first");
        }
        return version(clusters.get(versionId).orElseThrow());
    }

    private Clusters.Rule rule(String name) {
        return clusters.rule(name).orElseThrow(() -> PlinthException.notFound("no route " + name));
    }

    private Cluster version(String route, String versionId) {
        rule(route);
        return clusters.get(versionId).filter(c -> c.routeName().equals(route))
                .orElseThrow(() -> PlinthException.notFound("no version " + versionId + " on route " + route));
    }

    private Route view(Clusters.Rule rule) {
        return new Route(rule.name(), rule.host(), rule.pathPrefix(),
                clusters.all().stream().filter(c -> c.routeName().equals(rule.name())).map(Routes::version).toList());
    }

    private static Cluster.Server server(String hostAndPort) {
        try {
            HostPort parsed = HostPort.parse(hostAndPort);
            return new Cluster.Server(parsed.host(), parsed.port());
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid(e.getMessage());
        }
    }

    private static BackendVersion version(Cluster cluster) {
        Cluster.UpgradeTransition transition = cluster.upgradeTransition();
        return new BackendVersion(cluster.uuid(), cluster.version(),
                cluster.servers().stream().map(s -> s.ip() + ":" + s.port()).toList(), cluster.group(),
                UpgradeMode.valueOf(transition.mode().name()), transition.sessionTimeout(), transition.percentageTransitionPerRequest(),
                transition.durationSeconds(), cluster.rolledBack() == null ? null : cluster.rolledBack().at(),
                cluster.rolledBack() == null ? null : cluster.rolledBack().reason());
    }
}
