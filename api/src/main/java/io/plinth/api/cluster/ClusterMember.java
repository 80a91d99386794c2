package io.plinth.api.cluster;

/**
 * A node of the cluster as this node knows it: one in the current view of the cluster channel,
 * or one seen before that has left it.
 *
 * @param name        the node's name
 * @param address     where its cluster channel listens, {@code host:port}
 * @param coordinator whether it is the view's coordinator (the oldest member)
 * @param self        whether it is this node
 * @param state       available or unavailable while in the view; offline or failed after it left
 */
public record ClusterMember(String name, String address, boolean coordinator, boolean self, NodeState state) {

    /** Whether it is in the current view. */
    public boolean inView() {
        return state == NodeState.AVAILABLE || state == NodeState.UNAVAILABLE;
    }
}
