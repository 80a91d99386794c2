package io.plinth.impl.gateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import io.plinth.api.gateway.Route;
import io.plinth.support.JsonFile;
import io.plinth.support.Threads;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's routes and the versions ("clusters", the 003 seed's word) of their backends. Kept
 * in {@code data/plinth/gateway/clusters.json} so they survive a live update of the gateway and a
 * restart of the node. Readers get immutable snapshots without locking; writers serialize here.
 */
final class Clusters {

    /**
     * A route without its versions: which requests it takes. The prefix matches whole path
     * segments: "/api" takes "/api" and "/api/users", not "/apis".
     */
    record Rule(String name, String host, String pathPrefix) {
        boolean matches(String requestHost, String path) {
            boolean pathMatches = path.equals(pathPrefix) || path.startsWith(pathPrefix)
                    && (pathPrefix.endsWith("/") || path.charAt(pathPrefix.length()) == '/');
            return (host == null || host.equals(requestHost)) && pathMatches;
        }
    }

    /** What is stored: the clusters in the order they were added, and the routes besides the default one. */
    record Stored(List<Cluster> clusters, List<Rule> routes) {
        Stored {
            clusters = clusters == null ? List.of() : List.copyOf(clusters);
            routes = routes == null ? List.of() : List.copyOf(routes);
        }
    }

    /** One consistent view: every cluster, the routes, and each route's serving versions newest first. */
    private record Snapshot(List<Cluster> byAge, List<Rule> rules, Map<String, List<Cluster>> serving) {
    }

    static final Rule DEFAULT = new Rule(Route.DEFAULT, null, "/");
    private static final Comparator<Cluster> NEWEST_FIRST = Comparator.comparingDouble(Cluster::version).reversed();
    /** Longest prefix first; for the same prefix, a route for one host before one for any. */
    private static final Comparator<Rule> MOST_SPECIFIC_FIRST = Comparator.comparingInt((Rule r) -> r.pathPrefix().length()).reversed()
            .thenComparing(r -> r.host() == null);
    private static final Logger LOG = LoggerFactory.getLogger(Clusters.class);

    private final ExecutorService persistence = Executors.newSingleThreadExecutor(Threads.named("plinth-gateway-save"));
    private final JsonFile<Stored> store = new JsonFile<>(JsonFile.nodeStore("gateway", "clusters.json"), Stored.class);
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(snapshotOf(List.of(), List.of()));

    Clusters() {
        store.read().ifPresent(stored -> snapshot.set(snapshotOf(stored.clusters(), stored.routes())));
    }

    // --- versions -----------------------------------------------------------------------------

    /** Adds a version; answers its new id. */
    synchronized String add(Cluster cluster) {
        cluster.validate();
        if (rule(cluster.routeName()).isEmpty()) {
            throw new IllegalArgumentException("no route " + cluster.routeName());
        }
        String id = UUID.randomUUID().toString();
        List<Cluster> next = new ArrayList<>(snapshot.get().byAge());
        next.add(cluster.added(id, System.currentTimeMillis()));
        save(next, snapshot.get().rules());
        return id;
    }

    /** Adds the start-up configuration's cluster unless one with its version is there already. */
    synchronized void addIfNoVersion(Cluster cluster) {
        if (all().stream().noneMatch(c -> c.routeName().equals(cluster.routeName()) && c.version().equals(cluster.version()))) {
            add(cluster);
        }
    }

    synchronized boolean remove(String id) {
        List<Cluster> next = all().stream().filter(c -> !c.uuid().equals(id)).toList();
        if (next.size() == all().size()) {
            return false;
        }
        save(next, snapshot.get().rules());
        return true;
    }

    /**
     * Takes all traffic away from a version, unless it is the last one still serving its route.
     * Answers whether it did. Called on event loops: the disk is written on a thread of its own.
     */
    synchronized boolean rollBack(String id, String reason) {
        Optional<Cluster> target = get(id);
        if (target.isEmpty() || !target.get().serving() || serving(target.get().routeName()).size() < 2) {
            return false;
        }
        Cluster.RolledBack why = new Cluster.RolledBack(java.time.Instant.now().toString(), reason);
        List<Cluster> next = all().stream().map(c -> c.uuid().equals(id) ? c.withRolledBack(why) : c).toList();
        Snapshot published = snapshotOf(next, snapshot.get().rules());
        snapshot.set(published);
        persistence.execute(() -> persist(published));
        return true;
    }

    /** Lets a rolled-back version serve again. */
    synchronized void reinstate(String id) {
        save(all().stream().map(c -> c.uuid().equals(id) ? c.withRolledBack(null) : c).toList(), snapshot.get().rules());
    }

    Optional<Cluster> get(String id) {
        return all().stream().filter(c -> c.uuid().equals(id)).findFirst();
    }

    /** Every version of every route, in the order they were added. */
    List<Cluster> all() {
        return snapshot.get().byAge();
    }

    /** The hub groups that serve versions. */
    java.util.Set<String> groups() {
        return all().stream().map(Cluster::group).filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet());
    }

    /** A route's versions still serving, newest first: what routing reads on every request. */
    List<Cluster> serving(String route) {
        return snapshot.get().serving().getOrDefault(route, List.of());
    }

    // --- routes -------------------------------------------------------------------------------

    /** Every route, the default one first, then most specific first. */
    List<Rule> rules() {
        return snapshot.get().rules();
    }

    Optional<Rule> rule(String name) {
        return rules().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    synchronized void addRoute(Rule rule) {
        for (Rule existing : rules()) {
            if (existing.name().equals(rule.name())) {
                throw new IllegalStateException("route " + rule.name() + " exists already");
            }
            if (java.util.Objects.equals(existing.host(), rule.host()) && existing.pathPrefix().equals(rule.pathPrefix())) {
                throw new IllegalStateException("route " + existing.name() + " takes the same host and path prefix");
            }
        }
        List<Rule> next = new ArrayList<>(storedRules());
        next.add(rule);
        save(all(), next);
    }

    /** Removes a route and its versions; answers whether there was such a route. */
    synchronized boolean removeRoute(String name) {
        List<Rule> next = storedRules().stream().filter(r -> !r.name().equals(name)).toList();
        if (next.size() == storedRules().size()) {
            return false;
        }
        save(all().stream().filter(c -> !c.routeName().equals(name)).toList(), next);
        return true;
    }

    /** The route that takes a request for {@code host} (port and case ignored) and {@code path}. */
    String match(String host, String path) {
        String bare = host == null ? null : stripPort(host).toLowerCase(Locale.ROOT);
        for (Rule rule : rules()) {
            if (rule != DEFAULT && rule.matches(bare, path)) {
                return rule.name();
            }
        }
        return Route.DEFAULT;
    }

    void close() {
        persistence.shutdown();
    }

    // --- storage ------------------------------------------------------------------------------

    private List<Rule> storedRules() {
        return rules().stream().filter(r -> r != DEFAULT).toList();
    }

    private void save(List<Cluster> clusters, List<Rule> routes) {
        Snapshot next = snapshotOf(clusters, routes.stream().filter(r -> r != DEFAULT).toList());
        store.write(new Stored(next.byAge(), next.rules().stream().filter(r -> r != DEFAULT).toList()));
        snapshot.set(next);
    }

    private synchronized void persist(Snapshot published) {
        if (snapshot.get() != published) {
            return; // a later change was saved already
        }
        try {
            store.write(new Stored(published.byAge(), storedRules()));
        } catch (RuntimeException e) {
            LOG.error("Cannot save the gateway's clusters; the rollback holds until a restart", e);
        }
    }

    private static Snapshot snapshotOf(List<Cluster> clusters, List<Rule> routes) {
        List<Rule> rules = new ArrayList<>();
        rules.add(DEFAULT);
        routes.stream().filter(r -> !r.name().equals(Route.DEFAULT)).sorted(MOST_SPECIFIC_FIRST).forEach(rules::add);
        Map<String, List<Cluster>> serving = new HashMap<>();
        for (Rule rule : rules) {
            serving.put(rule.name(), clusters.stream().filter(c -> c.routeName().equals(rule.name()) && c.serving())
                    .sorted(NEWEST_FIRST).toList());
        }
        return new Snapshot(List.copyOf(clusters), List.copyOf(rules), Map.copyOf(serving));
    }

    private static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(0, end + 1) : host;
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
