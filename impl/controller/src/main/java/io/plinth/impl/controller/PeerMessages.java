package io.plinth.impl.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.plinth.api.component.Instance;
import io.plinth.api.component.InstanceSpec;
import io.plinth.api.component.InstanceState;
import io.plinth.impl.controller.ControllerState.Pair;
import io.plinth.impl.controller.ControllerState.StoredInstance;

/** What the controllers of a cluster tell each other, as JSON of these records (see {@link Peers}). */
final class PeerMessages {

    private PeerMessages() {
    }

    /**
     * The desired state a node hosts: its instances and every link and monitor that involves them.
     * Newer than another of the same node when its incarnation (start time of its controller) is
     * later, or the same with a higher sequence.
     */
    record Snapshot(String node, long incarnation, long sequence, List<StoredInstance> instances, List<Pair> links,
                    List<Pair> monitors) {
        Snapshot {
            instances = instances == null ? List.of() : List.copyOf(instances);
            links = links == null ? List.of() : List.copyOf(links);
            monitors = monitors == null ? List.of() : List.copyOf(monitors);
        }

        boolean newerThan(Snapshot other) {
            return other == null || incarnation > other.incarnation || incarnation == other.incarnation && sequence > other.sequence;
        }
    }

    /** On the desired-state topic: a node's snapshot, or ({@code asking}) a request for the receiver's. */
    record Desired(boolean asking, Snapshot snapshot) {
    }

    enum Kind { CREATE, INSTANCE, LIST, TERMINATE, DESTROY, PAIR, ADOPT, MOVE }

    /**
     * An operation for the node hosting the instances concerned: {@code instanceId}/{@code otherId}
     * name them (PAIR: {@code links} says link or monitor, {@code add} add or remove); CREATE
     * carries a spec; ADOPT an instance of a failed node ({@code otherId}), with its links and monitors;
     * MOVE the same for an instance its node ({@code otherId}, being decommissioned) still runs.
     */
    record Operation(Kind kind, String instanceId, String otherId, String reason, long graceMillis, Spec spec,
                     boolean links, boolean add, StoredInstance instance, List<Pair> pairLinks, List<Pair> pairMonitors) {

        Operation {
            pairLinks = pairLinks == null ? List.of() : List.copyOf(pairLinks);
            pairMonitors = pairMonitors == null ? List.of() : List.copyOf(pairMonitors);
        }

        static Operation on(Kind kind, String instanceId) {
            return new Operation(kind, instanceId, null, null, -1, null, false, false, null, null, null);
        }

        static Operation ending(Kind kind, String instanceId, String reason, Duration grace) {
            return new Operation(kind, instanceId, null, reason, grace == null ? -1 : grace.toMillis(), null, false, false, null, null, null);
        }

        static Operation pair(String first, String second, boolean links, boolean add) {
            return new Operation(Kind.PAIR, first, second, null, -1, null, links, add, null, null, null);
        }

        static Operation create(InstanceSpec spec) {
            return new Operation(Kind.CREATE, null, null, null, -1, Spec.of(spec), false, false, null, null, null);
        }

        /** Re-create {@code instance}, which ran on {@code failedNode}. */
        static Operation adopt(StoredInstance instance, String failedNode, String reason, List<Pair> links, List<Pair> monitors) {
            return new Operation(Kind.ADOPT, instance.id(), failedNode, reason, -1, null, false, false, instance, links, monitors);
        }

        /** Start {@code instance}, which {@code drainingNode} runs until this node does. */
        static Operation move(StoredInstance instance, String drainingNode, List<Pair> links, List<Pair> monitors) {
            return new Operation(Kind.MOVE, instance.id(), drainingNode, "node " + drainingNode + " is decommissioned", -1, null,
                    false, false, instance, links, monitors);
        }

        /** The grace of a destroy; null (-1 on the wire) for the default. */
        Duration grace() {
            return graceMillis < 0 ? null : Duration.ofMillis(graceMillis);
        }
    }

    /** An {@link InstanceSpec} on the wire. */
    record Spec(String type, String version, int count, Map<String, String> configuration, List<String> groups,
                long timeoutMillis, String node) {
        static Spec of(InstanceSpec spec) {
            return new Spec(spec.type(), spec.version(), spec.count(), spec.configuration(), spec.groups(),
                    spec.timeout().toMillis(), spec.node());
        }

        InstanceSpec spec() {
            return new InstanceSpec(type, version, count, configuration, groups, Duration.ofMillis(timeoutMillis), node);
        }
    }

    /** An {@link Instance} on the wire. */
    record InstanceView(String id, String type, String version, String node, InstanceState state,
                        Map<String, String> configuration, List<String> groups, List<String> links, long createdMillis) {
        static InstanceView of(Instance instance) {
            return new InstanceView(instance.id(), instance.type(), instance.version(), instance.node(), instance.state(),
                    instance.configuration(), instance.groups(), instance.links(), instance.created().toEpochMilli());
        }

        Instance instance() {
            return new Instance(id, type, version, node, state, configuration, groups, links, Instant.ofEpochMilli(createdMillis));
        }
    }

    /** What an operation came to: the instances concerned, or an error ({@code reason} names a {@code Reason}). */
    record Answer(List<InstanceView> instances, String reason, String message) {
        static Answer of(List<Instance> instances) {
            return new Answer(instances.stream().map(InstanceView::of).toList(), null, null);
        }
    }
}
