package io.plinth.api.cluster;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's place in a cluster (seed 000 §4.9.6, the initial handoff): the first node
 * initializes a cluster, creating the cluster's certificate authority and its own certificate;
 * it then issues one-time join tokens, and a new node redeems one at a member to get its
 * certificate. Every method fails with {@link io.plinth.api.error.PlinthException}.
 */
@ProviderType
public interface ClusterService {

    /** How long a join token lasts unless told otherwise. */
    Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(10);

    /** This node's membership; {@link ClusterInfo#member()} is false before it initialized or joined one. */
    ClusterInfo info();

    /**
     * The nodes this node's cluster channel sees now (mutual TLS with certificates of the cluster
     * CA), itself included, then those seen before that have left (offline or failed); empty while
     * it is in no cluster.
     */
    java.util.List<ClusterMember> members();

    /**
     * Marks a node of the view available or unavailable (seed 000 §4.5.2 mark-available /
     * mark-unavailable): the instances of an unavailable node keep running and answer requests
     * addressed to them, but no selector picks them. The mark is kept across the node's restarts.
     * NOT_FOUND when no such node is in the view.
     */
    ClusterMember markAvailable(String node, boolean available);

    /**
     * Decommissions a node of the view (seed 000 §4.5.2 destroying, destroyed): it takes no new
     * instance, each of its instances is started on another node and only then stopped on it (no
     * monitor fires, links stay), and once it hosts none it leaves the cluster for good, forgets
     * its membership, and the others remember it as destroyed (nothing of it is re-created). Its
     * state persists, so a restart during the drain resumes it. Returns at once, with the node
     * {@link NodeState#DESTROYING}. NOT_FOUND when no such node is in the view; CONFLICT when it
     * holds the cluster CA or no other node of the view is available to take its instances.
     */
    ClusterMember decommission(String node);

    /**
     * Makes this node the first member of a new cluster: creates the cluster CA (its key is never
     * stored in plaintext) and this node's certificate. CONFLICT when the node is a member already.
     */
    ClusterInfo initialize(String clusterName);

    /**
     * A one-time token for a new node, valid for {@code ttl} (1 s to 24 h): it names this node as
     * the seed to join through and carries the CA's fingerprint. CONFLICT when not a member.
     */
    JoinToken issueToken(Duration ttl);

    /**
     * Joins the cluster a token names: sends a certificate request and the token to the token's
     * seed over TLS, checks that the seed's certificate comes from the CA the token names, and
     * keeps the certificate it gets. DENIED when the seed refuses the token (used, expired,
     * unknown) or is not of that CA; CONFLICT when this node is a member already.
     */
    ClusterInfo join(String token);
}
