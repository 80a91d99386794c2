package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterInfo;
import io.plinth.api.cluster.ClusterService;

/** Base of the commands that use this node's cluster membership. */
abstract class ClusterCommand extends PlatformCommand<ClusterService> {

    ClusterCommand() {
        super(ClusterService.class);
    }

    /** The membership, one field per line, as every cluster command ends. */
    static void print(ClusterInfo info) {
        if (!info.member()) {
            System.out.println("Node " + info.node() + " is in no cluster (plinth:cluster-init NAME, or plinth:cluster-join TOKEN)");
            return;
        }
        System.out.println("Cluster:        " + info.cluster());
        System.out.println("Node:           " + info.node() + " (" + info.nodeId() + ")");
        System.out.println("CA fingerprint: " + info.caFingerprint());
        System.out.println("Certificate:    " + info.certificateSubject() + ", expires " + info.certificateExpires());
    }
}
