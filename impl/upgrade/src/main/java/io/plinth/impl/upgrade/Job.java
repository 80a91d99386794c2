package io.plinth.impl.upgrade;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.plinth.api.platform.NodeUpgrade;
import io.plinth.api.platform.UpgradePlan;
import io.plinth.api.platform.UpgradeState;
import io.plinth.api.platform.UpgradeStatus;

/**
 * An upgrade as this node's journal keeps it ({@code data/plinth/upgrade/job.json}), written at
 * every step so that whichever revision of this bundle runs next, after a live update of itself or
 * a restart, carries on from there. Also what nodes send each other.
 */
record Job(String id, String version, boolean cluster, boolean force, UpgradeState state, long startedMillis, long finishedMillis,
           List<NodeJob> nodes) {

    /** Where one node's part stands; {@code phase} and the rest matter only on the node itself. */
    record NodeJob(String node, UpgradeState state, Phase phase, long startedMillis, long millis, String message, UpgradePlan plan,
                   String fromFeatureVersion, String toFeatureVersion, Health.Baseline baseline, List<Step> steps) {

        NodeJob {
            steps = steps == null ? List.of() : List.copyOf(steps);
        }

        static NodeJob pending(String node) {
            return new NodeJob(node, UpgradeState.PENDING, Phase.WAITING, 0, 0, null, null, null, null, null, List.of());
        }

        NodeJob in(Phase next) {
            return new NodeJob(node, UpgradeState.RUNNING, next, startedMillis == 0 ? System.currentTimeMillis() : startedMillis, millis,
                    message, plan, fromFeatureVersion, toFeatureVersion, baseline, steps);
        }

        /** The plan it carries out, the platform feature's version before and after (as Karaf spells them), and health before. */
        NodeJob planned(UpgradePlan planned, String fromFeature, String toFeature, Health.Baseline before) {
            return new NodeJob(node, state, phase, startedMillis, millis, message, planned, fromFeature, toFeature, before, steps);
        }

        /** Rolling back, for the reason given (kept as the message). */
        NodeJob rollingBack(String why) {
            return new NodeJob(node, UpgradeState.RUNNING, Phase.ROLLING_BACK, startedMillis, millis, why, plan, fromFeatureVersion,
                    toFeatureVersion, baseline, steps);
        }

        NodeJob with(Step step) {
            List<Step> more = new ArrayList<>(steps);
            more.add(step);
            return withSteps(more);
        }

        /** Without {@code step}: it has been undone. */
        NodeJob without(Step step) {
            List<Step> fewer = new ArrayList<>(steps);
            fewer.remove(step);
            return withSteps(fewer);
        }

        private NodeJob withSteps(List<Step> changed) {
            return new NodeJob(node, state, phase, startedMillis, millis, message, plan, fromFeatureVersion, toFeatureVersion, baseline, changed);
        }

        NodeJob ended(UpgradeState end, String why) {
            long took = startedMillis == 0 ? 0 : System.currentTimeMillis() - startedMillis;
            return new NodeJob(node, end, Phase.DONE, startedMillis, took, why, plan, fromFeatureVersion, toFeatureVersion, baseline, steps);
        }

        boolean finished() {
            return phase == Phase.DONE;
        }

        NodeUpgrade view() {
            return new NodeUpgrade(node, state, millis, message, plan);
        }
    }

    /** Where a node's own upgrade is: what a revision that takes over has to do. */
    enum Phase {
        /** Not begun: nothing changed. */
        WAITING,
        /** Changing bundles (the steps say which so far): taking over means rolling back. */
        APPLYING,
        /**
         * Every bundle changed; the framework refreshes those wired to the replaced ones (this bundle
         * among them, when the API changed): taking over means checking health, then committing.
         */
        REFRESHING,
        /** Healthy on the new bundles; Karaf's features state is being moved to the build. */
        COMMITTING,
        /** Putting back the changes the steps still list (each struck off once undone), for the reason in the message. */
        ROLLING_BACK,
        DONE
    }

    /**
     * One change made to the node, with the jar to put back ({@code previous}) and where it came from,
     * where there is one. REFRESHED: the bundles wired to the changed ones were stopped to be
     * refreshed, so a rollback ends with a refresh too.
     */
    record Step(Kind kind, long bundleId, String symbolicName, String previous, String location) {
        enum Kind { UPDATED, INSTALLED, UNINSTALLED, REFRESHED }
    }

    Job {
        nodes = List.copyOf(nodes);
    }

    static Job start(String id, String version, boolean cluster, boolean force, List<String> nodes) {
        return new Job(id, version, cluster, force, UpgradeState.RUNNING, System.currentTimeMillis(), 0,
                nodes.stream().map(NodeJob::pending).toList());
    }

    Job node(String name, UnaryOperator<NodeJob> change) {
        return new Job(id, version, cluster, force, state, startedMillis, finishedMillis,
                nodes.stream().map(node -> node.node().equals(name) ? change.apply(node) : node).toList());
    }

    NodeJob node(String name) {
        return nodes.stream().filter(node -> node.node().equals(name)).findFirst().orElseThrow();
    }

    /** Ends the upgrade: SUCCEEDED when every node did, else FAILED with the nodes not reached SKIPPED. */
    Job conclude() {
        boolean succeeded = nodes.stream().allMatch(node -> node.state() == UpgradeState.SUCCEEDED);
        List<NodeJob> ended = nodes.stream().map(node -> node.finished() ? node : node.ended(UpgradeState.SKIPPED, "a node before it failed")).toList();
        return new Job(id, version, cluster, force, succeeded ? UpgradeState.SUCCEEDED : UpgradeState.FAILED, startedMillis,
                System.currentTimeMillis(), ended);
    }

    boolean running() {
        return state == UpgradeState.RUNNING;
    }

    UpgradeStatus view() {
        return new UpgradeStatus(id, version, cluster, state, Instant.ofEpochMilli(startedMillis),
                finishedMillis == 0 ? null : Instant.ofEpochMilli(finishedMillis), nodes.stream().map(NodeJob::view).toList());
    }
}
