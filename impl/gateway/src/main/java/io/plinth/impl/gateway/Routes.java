package io.plinth.impl.gateway;

import java.util.List;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.gateway.Route;
import io.plinth.api.gateway.UpgradeMode;

/**
 * The platform's form of the gateway's configuration (REST, shell): the seed's clusters are the
 * versions of the one route there is so far, {@value Route#DEFAULT}.
 */
final class Routes implements GatewayService {

    private final Clusters clusters;

    Routes(Clusters clusters) {
        this.clusters = clusters;
    }

    @Override
    public List<Route> routes() {
        return List.of(route(Route.DEFAULT));
    }

    @Override
    public Route route(String name) {
        requireRoute(name);
        return new Route(Route.DEFAULT, clusters.all().stream().map(Routes::version).toList());
    }

    @Override
    public BackendVersion addVersion(String route, BackendVersion version) {
        requireRoute(route);
        if (version == null) {
            throw PlinthException.invalid("a version is needed");
        }
        if (version.servers().isEmpty()) {
            throw PlinthException.invalid("a version needs at least one server, host:port");
        }
        List<Cluster.Server> servers = version.servers().stream().map(Routes::server).toList();
        Cluster cluster = new Cluster(servers, version.version(), new Cluster.UpgradeTransition(
                Cluster.Mode.valueOf(version.mode().name()), version.sessionTimeout(), version.percentage()), null, null);
        try {
            return version(clusters.get(clusters.add(cluster)).orElseThrow());
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid(e.getMessage());
        }
    }

    @Override
    public void removeVersion(String route, String versionId) {
        requireRoute(route);
        if (!clusters.remove(versionId)) {
            throw PlinthException.notFound("no version " + versionId + " on route " + route);
        }
    }

    @Override
    public Route promote(String route, String versionId) {
        requireVersion(route, versionId);
        for (Cluster other : clusters.all()) {
            if (!other.uuid().equals(versionId)) {
                clusters.remove(other.uuid());
            }
        }
        clusters.reinstate(versionId); // the only version left serves, even if it was rolled back
        return route(route);
    }

    @Override
    public BackendVersion rollback(String route, String versionId, String reason) {
        requireVersion(route, versionId);
        String why = reason == null || reason.isBlank() ? "rolled back by an admin" : reason;
        if (!clusters.rollBack(versionId, why) && clusters.get(versionId).orElseThrow().serving()) {
            throw new PlinthException(Reason.CONFLICT, "version " + versionId + " is the last one serving route " + route
                    + "; add or promote another first");
        }
        return version(clusters.get(versionId).orElseThrow());
    }

    private void requireVersion(String route, String versionId) {
        requireRoute(route);
        if (clusters.get(versionId).isEmpty()) {
            throw PlinthException.notFound("no version " + versionId + " on route " + route);
        }
    }

    private static void requireRoute(String name) {
        if (!Route.DEFAULT.equals(name)) {
            throw PlinthException.notFound("no route " + name + "; this gateway has the route " + Route.DEFAULT + " only");
        }
    }

    private static Cluster.Server server(String hostAndPort) {
        int colon = hostAndPort == null ? -1 : hostAndPort.lastIndexOf(':');
        try {
            Cluster.Server server = new Cluster.Server(hostAndPort.substring(0, colon), Integer.valueOf(hostAndPort.substring(colon + 1)));
            server.validate();
            return server;
        } catch (RuntimeException e) {
            throw PlinthException.invalid("a server reads host:port, not '" + hostAndPort + "'");
        }
    }

    private static BackendVersion version(Cluster cluster) {
        Cluster.UpgradeTransition transition = cluster.upgradeTransition();
        return new BackendVersion(cluster.uuid(), cluster.version(),
                cluster.servers().stream().map(s -> s.ip() + ":" + s.port()).toList(),
                UpgradeMode.valueOf(transition.mode().name()), transition.sessionTimeout(), transition.percentageTransitionPerRequest(),
                cluster.rolledBack() == null ? null : cluster.rolledBack().at(),
                cluster.rolledBack() == null ? null : cluster.rolledBack().reason());
    }
}
