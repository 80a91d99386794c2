package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Argument;

/** Base of the commands that mark a node available or unavailable. */
abstract class NodeMarkCommand extends ClusterCommand {

    @Argument(index = 0, name = "node", description = "The node (default: this one)")
    String node;

    /** Marks the node; prints its state afterwards. */
    void mark(ClusterService cluster, boolean available) {
        ClusterMember marked = cluster.markAvailable(node, available);
        System.out.println("Node " + marked.name() + " is " + Tables.lower(marked.state()));
    }
}
