package io.plinth.impl.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches how each version answers and rolls a failing one back: when, within one second, at least
 * {@value #MIN_FAILURES} of its attempts failed (no connection, a 5xx, no answer in time) and
 * failures are at least half of them, all traffic goes to the versions before it. The failed
 * requests themselves were already retried on the previous version where that was safe.
 */
final class Health {

    private static final Logger LOG = LoggerFactory.getLogger(Health.class);
    static final int MIN_FAILURES = 3;
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final Clusters clusters;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    Health(Clusters clusters) {
        this.clusters = clusters;
    }

    void succeeded(Cluster cluster) {
        window(cluster).record(false);
    }

    void failed(Cluster cluster, String why) {
        Window window = window(cluster);
        if (window.record(true) && clusters.rollBack(cluster.uuid(), why)) {
            LOG.warn("Rolled back version {} ({}): {}", cluster.version(), cluster.uuid(), why);
        }
    }

    private Window window(Cluster cluster) {
        return windows.computeIfAbsent(cluster.uuid(), id -> new Window());
    }

    /** Outcomes of the current second; answers whether the failures now call for a rollback. */
    private static final class Window {
        private long start = System.nanoTime();
        private int failures;
        private int attempts;

        synchronized boolean record(boolean failure) {
            long now = System.nanoTime();
            if (now - start > WINDOW_NANOS) {
                start = now;
                failures = 0;
                attempts = 0;
            }
            attempts++;
            if (failure) {
                failures++;
            }
            return failure && failures >= MIN_FAILURES && failures * 2 >= attempts;
        }
    }
}
