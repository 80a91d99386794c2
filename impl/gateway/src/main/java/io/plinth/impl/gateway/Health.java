package io.plinth.impl.gateway;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches how each version answers and rolls a misbehaving one back, so all traffic goes to the
 * versions before it:
 * <ul>
 * <li>failures: within one second at least {@value #MIN_FAILURES} of its attempts failed (no
 * connection, a 5xx, silence for the read timeout, or — CONCURRENT — a different answer) and
 * failures are at least half of them;</li>
 * <li>latency: the newest version's median time to answer over its last {@value #SAMPLES} answers
 * (within one second) is above {@value #SLOWER_FACTOR}× the previous version's usual time, and
 * at least {@value #MIN_EXTRA_MILLIS} ms more; an answer still missing by then counts as a
 * failure, so a version that hangs is caught long before the read timeout.</li>
 * </ul>
 * The failed requests themselves were already retried on the previous version where that was safe.
 */
final class Health {

    private static final Logger LOG = LoggerFactory.getLogger(Health.class);
    static final int MIN_FAILURES = 3;
    static final int SAMPLES = 5;
    static final int SLOWER_FACTOR = 4;
    /** Generous, so that a backend that is merely cold is not mistaken for a slow one. */
    static final int MIN_EXTRA_MILLIS = 100;
    private static final long WINDOW_NANOS = 1_000_000_000L;
    /** Weight of one answer in a version's usual time to answer. */
    private static final double USUAL_WEIGHT = 0.05;

    private final Clusters clusters;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    Health(Clusters clusters) {
        this.clusters = clusters;
    }

    /** A proper answer from {@code cluster}, which started {@code nanos} after the request was out. */
    void succeeded(Cluster cluster, long nanos) {
        long median = window(cluster).answered(nanos);
        double usual = previousUsualNanos(cluster);
        if (median >= 0 && usual > 0 && median > tooSlowNanos(usual)) {
            rollBack(cluster, String.format("answers in %.1f ms (median), the previous version in %.1f ms",
                    median / 1e6, usual / 1e6));
        }
    }

    /**
     * How long an answer of {@code cluster} may take before it counts as a failure, judged by the
     * previous version's usual time; -1 when there is nothing to judge by (not the newest version,
     * or the previous one has not answered enough yet).
     */
    long lateAfterNanos(Cluster cluster) {
        double usual = previousUsualNanos(cluster);
        return usual > 0 ? (long) tooSlowNanos(usual) : -1;
    }

    private static double tooSlowNanos(double usual) {
        return Math.max(SLOWER_FACTOR * usual, usual + MIN_EXTRA_MILLIS * 1_000_000L);
    }

    /** The usual time to answer of the version before {@code cluster}, if {@code cluster} is the newest. */
    private double previousUsualNanos(Cluster cluster) {
        List<Cluster> serving = clusters.serving(cluster.routeName());
        if (serving.size() < 2 || !serving.get(0).uuid().equals(cluster.uuid())) {
            return -1; // only the newest version is judged against the one before it
        }
        Window previous = windows.get(serving.get(1).uuid());
        return previous == null ? -1 : previous.usualNanos();
    }

    /** An attempt at {@code cluster} failed, or its answer is late by the previous version's measure. */
    void failed(Cluster cluster, String why) {
        if (window(cluster).failed()) {
            rollBack(cluster, why);
        }
    }

    private void rollBack(Cluster cluster, String why) {
        if (clusters.rollBack(cluster.uuid(), why)) {
            LOG.warn("Rolled back version {} ({}): {}", cluster.version(), cluster.uuid(), why);
        }
    }

    private Window window(Cluster cluster) {
        return windows.computeIfAbsent(cluster.uuid(), id -> new Window());
    }

    /** A version's outcomes in the current second, and its usual time to answer. */
    private static final class Window {
        private long start = System.nanoTime();
        private int failures;
        private int attempts;
        private final long[] recent = new long[SAMPLES];
        private int answers;
        private double usual = -1;
        private int seen;

        /** Records an answer; answers the median of the last answers once there are enough, else -1. */
        synchronized long answered(long nanos) {
            roll();
            attempts++;
            recent[answers % SAMPLES] = nanos;
            answers++;
            seen++;
            usual = usual < 0 ? nanos : usual + USUAL_WEIGHT * (nanos - usual);
            if (answers < SAMPLES) {
                return -1;
            }
            long[] sorted = recent.clone();
            Arrays.sort(sorted);
            return sorted[SAMPLES / 2];
        }

        /** Records a failure; answers whether the failures now call for a rollback. */
        synchronized boolean failed() {
            roll();
            attempts++;
            failures++;
            return failures >= MIN_FAILURES && failures * 2 >= attempts;
        }

        /** The usual time to answer, once it rests on enough answers; else -1. */
        synchronized double usualNanos() {
            return seen >= 4 * SAMPLES ? usual : -1;
        }

        private void roll() {
            long now = System.nanoTime();
            if (now - start > WINDOW_NANOS) {
                start = now;
                failures = 0;
                attempts = 0;
                answers = 0;
            }
        }
    }
}
