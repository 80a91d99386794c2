package io.plinth.api.cluster;

/**
 * A node in the current view of the cluster channel.
 *
 * @param name        the node's name
 * @param address     where its cluster channel listens, {@code host:port}
 * @param coordinator whether it is the view's coordinator (the oldest member)
 * @param self        whether it is this node
 */
public record ClusterMember(String name, String address, boolean coordinator, boolean self) {
}
