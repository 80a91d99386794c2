package io.plinth.impl.controller;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;

/**
 * Where instances go and which controller answers for them. An instance id starts with its
 * virtual node (the 16-bit segment, {@link Identifiers}); each segment's primary owner among the
 * nodes of the view is the one with the highest rendezvous hash of segment and node name, so every
 * node computes the same owner from the same view, and a node leaving moves only its own segments.
 */
final class Placement {

    private Placement() {
    }

    /** The node whose controller answers for {@code instanceId} among {@code nodes} (not empty). */
    static String owner(String instanceId, Collection<String> nodes) {
        int segment = Integer.parseInt(instanceId.substring(0, 4), 16);
        return nodes.stream().max(Comparator.comparingLong((String node) -> score(segment, node))
                .thenComparing(Comparator.reverseOrder())).orElseThrow();
    }

    /** The candidate running the fewest instances (ties: the first name), or null when there is none. */
    static String leastLoaded(Collection<String> candidates, Map<String, Integer> loads) {
        return candidates.stream().min(Comparator.comparingInt((String node) -> loads.getOrDefault(node, 0))
                .thenComparing(Comparator.naturalOrder())).orElse(null);
    }

    /** FNV-1a over the node's name and the segment, then a final mix: stable across JVMs. */
    private static long score(int segment, String node) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : node.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        hash = (hash ^ segment) * 0x100000001b3L;
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        return hash ^ (hash >>> 33);
    }
}
