package io.plinth.api.cluster;

import java.time.Instant;

/**
 * This node's membership.
 *
 * @param member               whether it belongs to a cluster (every other field is null when not)
 * @param cluster              the cluster's name
 * @param node                 this node's name (its certificate's OU)
 * @param nodeId               this node's id (its certificate's UID)
 * @param caFingerprint        SHA-256 of the cluster CA's certificate, hex
 * @param certificateSubject   this node's certificate's subject
 * @param certificateExpires   when this node's certificate expires
 */
public record ClusterInfo(boolean member, String cluster, String node, String nodeId, String caFingerprint,
                          String certificateSubject, Instant certificateExpires) {

    /** A node that belongs to no cluster yet. */
    public static ClusterInfo none(String node) {
        return new ClusterInfo(false, null, node, null, null, null, null);
    }
}
