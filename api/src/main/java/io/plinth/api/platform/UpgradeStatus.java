package io.plinth.api.platform;

import java.time.Instant;
import java.util.List;

/**
 * An upgrade started on this node: of this node only, or of the cluster ({@code nodes} in the
 * order they are upgraded). {@code state} is the upgrade's as a whole: RUNNING, then SUCCEEDED
 * when every node did, else FAILED. {@code finished} is null while it runs.
 */
public record UpgradeStatus(String id, String version, boolean cluster, UpgradeState state, Instant started, Instant finished,
        List<NodeUpgrade> nodes) {

    public UpgradeStatus {
        nodes = List.copyOf(nodes);
    }

    /** Whether the upgrade has ended, one way or the other. */
    public boolean ended() {
        return state != UpgradeState.PENDING && state != UpgradeState.RUNNING;
    }
}
