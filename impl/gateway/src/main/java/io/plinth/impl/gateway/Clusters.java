package io.plinth.impl.gateway;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.plinth.support.JsonFile;

/**
 * The gateway's backend versions. Kept in {@code data/plinth/gateway/clusters.json} so they
 * survive a live update of the gateway and a restart of the node; readers see an immutable list,
 * newest version first.
 */
final class Clusters {

    /** What is stored: the clusters in the order they were added. */
    record Stored(List<Cluster> clusters) {
        Stored {
            clusters = clusters == null ? List.of() : List.copyOf(clusters);
        }
    }

    private static final Comparator<Cluster> NEWEST_FIRST = Comparator.comparingDouble(Cluster::version).reversed();

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Clusters.class);

    private final java.util.concurrent.ExecutorService persistence =
            java.util.concurrent.Executors.newSingleThreadExecutor(io.plinth.support.Threads.named("plinth-gateway-save"));
    private final JsonFile<Stored> store = new JsonFile<>(JsonFile.nodeStore("gateway", "clusters.json"), Stored.class);
    private final AtomicReference<List<Cluster>> byAge = new AtomicReference<>(List.of());
    private final AtomicReference<List<Cluster>> serving = new AtomicReference<>(List.of());

    Clusters() {
        store.read().ifPresent(stored -> publish(List.copyOf(stored.clusters())));
    }

    /** Adds a version; answers its new id. */
    synchronized String add(Cluster cluster) {
        cluster.validate();
        String id = UUID.randomUUID().toString();
        List<Cluster> next = new java.util.ArrayList<>(byAge.get());
        next.add(cluster.withUuid(id));
        save(List.copyOf(next));
        return id;
    }

    /** Adds the start-up configuration's cluster unless one with its version is there already. */
    synchronized void addIfNoVersion(Cluster cluster) {
        if (byAge.get().stream().noneMatch(c -> c.version().equals(cluster.version()))) {
            add(cluster);
        }
    }

    synchronized boolean remove(String id) {
        List<Cluster> next = byAge.get().stream().filter(c -> !c.uuid().equals(id)).toList();
        if (next.size() == byAge.get().size()) {
            return false;
        }
        save(next);
        return true;
    }

    /**
     * Takes all traffic away from a version, unless it is the last one still serving. Answers
     * whether it did.
     */
    synchronized boolean rollBack(String id, String reason) {
        List<Cluster> current = byAge.get();
        if (current.stream().filter(Cluster::serving).count() < 2) {
            return false;
        }
        Cluster.RolledBack why = new Cluster.RolledBack(java.time.Instant.now().toString(), reason);
        boolean[] changed = {false};
        List<Cluster> next = current.stream().map(c -> {
            if (c.uuid().equals(id) && c.serving()) {
                changed[0] = true;
                return c.withRolledBack(why);
            }
            return c;
        }).toList();
        if (changed[0]) {
            publish(next); // at once, for routing; the disk follows off the event loop
            persistence.execute(() -> persist(next));
        }
        return changed[0];
    }

    /** Lets a rolled-back version serve again. */
    synchronized void reinstate(String id) {
        save(byAge.get().stream().map(c -> c.uuid().equals(id) ? c.withRolledBack(null) : c).toList());
    }

    /** The versions still serving, newest first: what routing reads on every request. */
    List<Cluster> serving() {
        return serving.get();
    }

    Optional<Cluster> get(String id) {
        return byAge.get().stream().filter(c -> c.uuid().equals(id)).findFirst();
    }

    /** In the order they were added. */
    List<Cluster> all() {
        return byAge.get();
    }


    private void save(List<Cluster> clusters) {
        store.write(new Stored(clusters));
        publish(clusters);
    }

    private synchronized void persist(List<Cluster> clusters) {
        if (clusters != byAge.get()) {
            return; // a later change was saved already
        }
        try {
            store.write(new Stored(clusters));
        } catch (RuntimeException e) {
            LOG.error("Cannot save the gateway's clusters; the rollback holds until a restart", e);
        }
    }

    void close() {
        persistence.shutdown();
    }

    private void publish(List<Cluster> clusters) {
        byAge.set(clusters);
        serving.set(clusters.stream().filter(Cluster::serving).sorted(NEWEST_FIRST).toList());
    }
}
