package io.plinth.impl.gateway;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.plinth.api.gateway.GatewayService;
import io.plinth.api.hub.Hub;
import io.plinth.api.hub.HubEvent;
import io.plinth.api.hub.HubListener;
import io.plinth.api.hub.Member;
import io.plinth.support.HostPort;
import io.plinth.support.Threads;

import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers of versions that a hub group serves: for each group in use, the addresses its
 * available members publish in {@value GatewayService#ADDRESS_ATTRIBUTE}. Routing reads a ready
 * list on every request; the hub's events refresh the lists off the event loops, and so does a
 * sweep every {@value #SWEEP_SECONDS} s, which also catches events missed while the hub was replaced.
 * Nothing here waits for a hub: a group looked up while there is none is looked up again later,
 * and a group known already keeps its servers until the hub is back.
 */
final class GroupServers implements HubListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupServers.class);
    private static final long SWEEP_SECONDS = 2;

    private final ServiceTracker<Hub, Hub> hub;
    private final Supplier<Set<String>> groupsInUse;
    private final Map<String, List<InetSocketAddress>> byGroup = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(Threads.named("plinth-gateway-groups"));

    GroupServers(BundleContext context, Supplier<Set<String>> groupsInUse) {
        this.hub = new ServiceTracker<>(context, Hub.class, null);
        this.hub.open();
        this.groupsInUse = groupsInUse;
        refresher.scheduleWithFixedDelay(this::refresh, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /** Where a group's available members answer; the first request for a group looks it up (in memory, at once). */
    List<InetSocketAddress> servers(String group) {
        List<InetSocketAddress> known = byGroup.get(group);
        if (known != null) {
            return known;
        }
        List<InetSocketAddress> found = byGroup.computeIfAbsent(group, this::lookUp);
        return found == null ? List.of() : found;
    }

    @Override
    public void hubEvent(HubEvent event) {
        boolean changesServers = switch (event.kind()) {
            case MEMBER_JOINED, MEMBER_LEFT -> byGroup.containsKey(event.subject());
            case ATTRIBUTE_CHANGED -> GatewayService.ADDRESS_ATTRIBUTE.equals(event.attribute())
                    || Hub.AVAILABLE_ATTRIBUTE.equals(event.attribute());
            default -> false;
        };
        if (changesServers) {
            try {
                refresher.execute(this::refresh); // listeners must not block the hub
            } catch (RejectedExecutionException closing) {
                // the gateway is stopping
            }
        }
    }

    /** Looks every group in use up again and forgets those no version names any more. */
    private void refresh() {
        try {
            Set<String> inUse = groupsInUse.get();
            byGroup.keySet().removeIf(group -> !inUse.contains(group));
            for (String group : byGroup.keySet()) {
                List<InetSocketAddress> found = lookUp(group);
                if (found != null) {
                    byGroup.put(group, found);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot refresh the gateway's group servers; the next sweep tries again", e); // and the sweep goes on
        }
    }

    /** The group's servers now; null when there is no hub to ask (it is being replaced). */
    private List<InetSocketAddress> lookUp(String group) {
        Hub current = hub.getService();
        if (current == null) {
            return null;
        }
        List<Member> members;
        try {
            members = current.members(group);
        } catch (RuntimeException e) {
            LOG.debug("Cannot look up the members of group {}: {}", group, e.toString());
            return null;
        }
        List<InetSocketAddress> servers = new ArrayList<>(members.size());
        for (Member member : members) {
            String address = member.attributes().get(GatewayService.ADDRESS_ATTRIBUTE);
            if (address != null && !"false".equals(member.attributes().get(Hub.AVAILABLE_ATTRIBUTE))) {
                InetSocketAddress server = parse(address);
                if (server != null) {
                    servers.add(server);
                } else {
                    LOG.warn("Instance {} of group {} publishes {}={}, not a reachable host:port; it gets no traffic",
                            member.instanceId(), group, GatewayService.ADDRESS_ATTRIBUTE, address);
                }
            }
        }
        return List.copyOf(servers);
    }

    /** {@code host:port} resolved, or null. */
    private static InetSocketAddress parse(String hostAndPort) {
        try {
            HostPort parsed = HostPort.parse(hostAndPort);
            InetSocketAddress address = new InetSocketAddress(parsed.host(), parsed.port());
            return address.isUnresolved() ? null : address;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        hub.close();
    }
}
