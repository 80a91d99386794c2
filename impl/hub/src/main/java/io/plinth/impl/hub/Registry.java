package io.plinth.impl.hub;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.plinth.api.hub.HubEvent;
import io.plinth.api.hub.NameClaim;
import io.plinth.api.hub.NameOption;
import io.plinth.api.hub.Target;

/**
 * Group memberships, attributes and unique names with their owner queues. Readers see immutable
 * snapshots without locking; writers serialize on this object and report each change as a
 * {@link HubEvent}.
 */
final class Registry {

    interface Events {
        void publish(HubEvent event);
    }

    private final Events events;
    /** group → members in joining order (immutable lists, replaced on change). */
    private final Map<String, List<String>> groups = new ConcurrentHashMap<>();
    /** target key → attributes (immutable maps, replaced on change). */
    private final Map<String, Map<String, String>> attributes = new ConcurrentHashMap<>();
    /** unique name → owner first, then the queue. */
    private final Map<String, List<String>> names = new ConcurrentHashMap<>();

    Registry(Events events) {
        this.events = events;
    }

    // --- groups -------------------------------------------------------------------------------

    synchronized int join(String instanceId, String group) {
        List<String> members = groups.getOrDefault(group, List.of());
        if (!members.contains(instanceId)) {
            List<String> joined = new ArrayList<>(members);
            joined.add(instanceId);
            members = List.copyOf(joined);
            groups.put(group, members);
            events.publish(event(HubEvent.Kind.MEMBER_JOINED, group, instanceId, null, null));
            notifyAll();
        }
        return members.size();
    }

    synchronized int leave(String instanceId, String group) {
        List<String> members = groups.getOrDefault(group, List.of());
        if (!members.contains(instanceId)) {
            return members.size();
        }
        List<String> left = new ArrayList<>(members);
        left.remove(instanceId);
        if (left.isEmpty()) {
            groups.remove(group);
            attributes.remove(Target.group(group).toString());
        } else {
            groups.put(group, List.copyOf(left));
        }
        events.publish(event(HubEvent.Kind.MEMBER_LEFT, group, instanceId, null, null));
        return left.size();
    }

    List<String> members(String group) {
        return groups.getOrDefault(group, List.of());
    }

    /** The groups an instance belongs to. */
    synchronized Set<String> groupsOf(String instanceId) {
        Set<String> of = new java.util.TreeSet<>();
        groups.forEach((group, members) -> {
            if (members.contains(instanceId)) {
                of.add(group);
            }
        });
        return of;
    }

    Set<String> groups() {
        return Set.copyOf(groups.keySet());
    }

    /** Waits until the group has a member that {@code usable} accepts, or the deadline passes. */
    synchronized Optional<String> awaitMember(String group, Predicate<String> usable, long deadlineNanos,
                                              java.util.function.BooleanSupplier stillOpen) throws InterruptedException {
        while (stillOpen.getAsBoolean()) {
            Optional<String> member = members(group).stream().filter(usable).findFirst();
            long left = deadlineNanos - System.nanoTime();
            if (member.isPresent() || left <= 0) {
                return member;
            }
            wait(Math.max(1, Math.min(left / 1_000_000, 100)));
        }
        return Optional.empty();
    }

    /** Wakes waiters, e.g. when a member becomes usable without joining anew, or the hub closes. */
    synchronized void wakeWaiters() {
        notifyAll();
    }

    // --- attributes ---------------------------------------------------------------------------

    synchronized void putAttribute(Target target, String name, String value) {
        String key = target.toString();
        Map<String, String> current = attributes.getOrDefault(key, Map.of());
        if (java.util.Objects.equals(current.get(name), value)) {
            return;
        }
        Map<String, String> changed = new LinkedHashMap<>(current);
        if (value == null) {
            changed.remove(name);
        } else {
            changed.put(name, value);
        }
        if (changed.isEmpty()) {
            attributes.remove(key);
        } else {
            attributes.put(key, Map.copyOf(changed));
        }
        events.publish(event(HubEvent.Kind.ATTRIBUTE_CHANGED, key, target.kind() == Target.Kind.INSTANCE ? target.name() : "", name, value));
        notifyAll();
    }

    Map<String, String> attributes(Target target) {
        return attributes.getOrDefault(target.toString(), Map.of());
    }

    // --- unique names -------------------------------------------------------------------------

    synchronized NameClaim claim(String name, String instanceId, NameOption option) {
        List<String> queue = new ArrayList<>(names.getOrDefault(name, List.of()));
        if (!queue.isEmpty() && queue.get(0).equals(instanceId)) {
            return NameClaim.OWNER;
        }
        if (queue.isEmpty()) {
            queue.add(instanceId);
            names.put(name, List.copyOf(queue));
            events.publish(event(HubEvent.Kind.OWNER_CHANGED, name, instanceId, null, null));
            return NameClaim.OWNER;
        }
        switch (option) {
            case REPLACE:
                queue.remove(instanceId);
                queue.add(0, instanceId);
                names.put(name, List.copyOf(queue));
                events.publish(event(HubEvent.Kind.OWNER_CHANGED, name, instanceId, null, null));
                return NameClaim.OWNER;
            case QUEUE:
                if (!queue.contains(instanceId)) {
                    queue.add(instanceId);
                    names.put(name, List.copyOf(queue));
                }
                return NameClaim.QUEUED;
            default:
                return NameClaim.EXISTS;
        }
    }

    synchronized void release(String name, String instanceId) {
        List<String> queue = new ArrayList<>(names.getOrDefault(name, List.of()));
        int position = queue.indexOf(instanceId);
        if (position < 0) {
            return;
        }
        queue.remove(position);
        if (queue.isEmpty()) {
            names.remove(name);
        } else {
            names.put(name, List.copyOf(queue));
        }
        if (position == 0) {
            events.publish(event(HubEvent.Kind.OWNER_CHANGED, name, queue.isEmpty() ? "" : queue.get(0), null, null));
        }
    }

    List<String> nameQueue(String name) {
        return names.getOrDefault(name, List.of());
    }

    // --- whole instances ----------------------------------------------------------------------

    /** Removes every trace of an instance that went away: memberships, names, attributes. */
    synchronized void forget(String instanceId) {
        for (String group : groups()) {
            leave(instanceId, group);
        }
        for (String name : Set.copyOf(names.keySet())) {
            release(name, instanceId);
        }
        attributes.remove(Target.instance(instanceId).toString());
    }

    synchronized SoftState snapshot() {
        return new SoftState(Map.copyOf(groups), Map.copyOf(attributes), Map.copyOf(names));
    }

    /** Takes over a predecessor's state, keeping only what concerns instances that still exist. */
    synchronized void restore(SoftState state, Predicate<String> exists) {
        state.groups().forEach((group, members) -> {
            List<String> alive = members.stream().filter(exists).toList();
            if (!alive.isEmpty()) {
                groups.put(group, alive);
            }
        });
        state.attributes().forEach((key, values) -> {
            Target target = Target.parse(key);
            boolean alive = target.kind() == Target.Kind.INSTANCE ? exists.test(target.name()) : groups.containsKey(target.name());
            if (alive) {
                attributes.put(key, Map.copyOf(values));
            }
        });
        state.names().forEach((name, queue) -> {
            List<String> alive = queue.stream().filter(exists).toList();
            if (!alive.isEmpty()) {
                names.put(name, alive);
            }
        });
    }

    private static HubEvent event(HubEvent.Kind kind, String subject, String instanceId, String attribute, String value) {
        return new HubEvent(kind, subject, instanceId, attribute, value, Instant.now());
    }
}
