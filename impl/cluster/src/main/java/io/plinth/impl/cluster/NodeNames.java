package io.plinth.impl.cluster;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.plinth.support.JsonFile;

/**
 * The names of the nodes the CA admitted, kept in {@code nodes.json}: a name identifies a node in
 * the cluster channel's view and in the hub, so the CA certifies each only once (until the node is
 * decommissioned).
 */
final class NodeNames {

    record Stored(List<String> names) {
        Stored {
            names = names == null ? List.of() : List.copyOf(names);
        }
    }

    private final JsonFile<Stored> store = new JsonFile<>(JsonFile.nodeStore("cluster", "nodes.json"), Stored.class);
    private final Set<String> names = new TreeSet<>(store.read().map(Stored::names).orElse(List.of()));

    boolean contains(String name) {
        return names.contains(name);
    }

    void add(String name) {
        if (names.add(name)) {
            store.write(new Stored(List.copyOf(names)));
        }
    }

    /** A decommissioned node's name is free for a new node. */
    void remove(String name) {
        if (names.remove(name)) {
            store.write(new Stored(List.copyOf(names)));
        }
    }
}
