package io.plinth.impl.discovery;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterService;
import io.plinth.api.cluster.NodeState;
import io.plinth.api.hub.Hub;
import io.plinth.api.hub.Member;
import io.plinth.api.hub.Selector;
import io.plinth.support.HostPort;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The zone's answers, computed at each query from the hub and the cluster as they are then, plus
 * the records agents published:
 * <ul>
 * <li>{@code GROUP.group.ZONE}: A/AAAA of the available members' addresses, TXT per member;</li>
 * <li>{@code _SERVICE._tcp.GROUP.group.ZONE}: SRV per available member publishing {@code SERVICE.address};</li>
 * <li>{@code ID.instance.ZONE}: A/AAAA of an available instance, TXT of its attributes;</li>
 * <li>{@code NODE.node.ZONE}: A/AAAA of a node in the cluster's view; {@code _plinth._tcp.node.ZONE}: SRV of their channels.</li>
 * </ul>
 * Members publish where they answer as {@code SERVICE.address = host:port} attributes (the gateway's
 * {@code http.address} among them); only those selectors may pick are listed (available, on an
 * available node). Answers are authoritative; names outside the zone are refused.
 */
final class Answers {

    private static final String ADDRESS_SUFFIX = ".address";
    private static final String RESERVED = Hub.RESERVED_PREFIX;

    private final Name zone;
    private final long ttl;
    private final Supplier<Hub> hub;
    private final Supplier<ClusterService> cluster;
    private final AgentRecords agents;

    Answers(Name zone, long ttl, Supplier<Hub> hub, Supplier<ClusterService> cluster, AgentRecords agents) {
        this.zone = zone;
        this.ttl = ttl;
        this.hub = hub;
        this.cluster = cluster;
        this.agents = agents;
    }

    Message answer(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            response.getHeader().setRcode(Rcode.NOTIMP);
            return response;
        }
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response;
        }
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        if (!name.subdomain(zone)) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return response;
        }
        response.getHeader().setFlag(Flags.AA);
        List<Record> found;
        try {
            found = records(name);
        } catch (RuntimeException e) {
            response.getHeader().setRcode(Rcode.SERVFAIL); // the hub is being replaced: a resolver will ask again
            return response;
        }
        int type = question.getType();
        List<Record> matching = found.stream().filter(r -> type == Type.ANY || r.getType() == type).toList();
        matching.forEach(r -> response.addRecord(r, Section.ANSWER));
        if (matching.isEmpty()) {
            boolean exists = !found.isEmpty() || hasNamesBelow(name);
            response.getHeader().setRcode(exists ? Rcode.NOERROR : Rcode.NXDOMAIN);
            response.addRecord(soa(), Section.AUTHORITY); // lets resolvers cache the negative answer
        }
        return response;
    }

    /** Every record the zone has for a name. */
    private List<Record> records(Name name) {
        List<Record> records = new ArrayList<>(agents.lookup(name));
        if (name.equals(zone)) {
            records.add(soa());
            records.add(new NSRecord(zone, DClass.IN, ttl, nameServer()));
            return records;
        }
        List<String> labels = relativeLabels(name);
        int size = labels.size();
        if (size == 2 && labels.get(1).equals("group")) {
            group(labels.get(0)).ifPresent(members -> records.addAll(groupRecords(name, members)));
        } else if (size == 4 && labels.get(3).equals("group") && labels.get(1).equals("_tcp") && labels.get(0).startsWith("_")) {
            String service = labels.get(0).substring(1);
            group(labels.get(2)).ifPresent(members -> records.addAll(serviceRecords(name, service, members)));
        } else if (size == 2 && labels.get(1).equals("instance")) {
            instance(labels.get(0)).ifPresent(member -> records.addAll(instanceRecords(name, member)));
        } else if (size == 2 && labels.get(1).equals("node")) {
            nodes().stream().filter(n -> n.name().equalsIgnoreCase(labels.get(0)))
                    .forEach(n -> address(name, HostPort.parse(n.address()).host()).ifPresent(records::add));
        } else if (size == 3 && labels.equals(List.of("_plinth", "_tcp", "node"))) {
            for (ClusterMember node : nodes()) {
                records.add(new SRVRecord(name, DClass.IN, ttl, 0, 1, HostPort.parse(node.address()).port(), child(node.name() + ".node")));
            }
        }
        return records;
    }

    /**
     * Whether a name without records of its own has names below it (an empty non-terminal, such as
     * {@code group.ZONE}): it exists, and answering NXDOMAIN would deny what is below (RFC 8020).
     */
    private boolean hasNamesBelow(Name name) {
        if (agents.hasNamesBelow(name)) {
            return true;
        }
        List<String> labels = relativeLabels(name);
        if (labels.size() == 1) {
            return labels.get(0).equals("group") || labels.get(0).equals("instance") || labels.get(0).equals("node");
        }
        if (labels.size() == 2 && labels.equals(List.of("_tcp", "node"))) {
            return true;
        }
        return labels.size() == 3 && labels.get(0).equals("_tcp") && labels.get(2).equals("group") && group(labels.get(1)).isPresent();
    }

    private List<Record> groupRecords(Name name, List<Member> members) {
        Set<String> hosts = new LinkedHashSet<>();
        List<Record> records = new ArrayList<>();
        for (Member member : members) {
            addresses(member).values().forEach(address -> hosts.add(address.host()));
            records.add(new TXTRecord(name, DClass.IN, ttl,
                    "instance=" + member.instanceId() + " node=" + member.node() + " type=" + member.type() + " version=" + member.version()));
        }
        hosts.forEach(host -> address(name, host).ifPresent(records::add));
        return records;
    }

    private List<Record> serviceRecords(Name name, String service, List<Member> members) {
        List<Record> records = new ArrayList<>();
        for (Member member : members) {
            HostPort address = addresses(member).get(service);
            if (address != null) {
                records.add(new SRVRecord(name, DClass.IN, ttl, 0, 1, address.port(), child(member.instanceId() + ".instance")));
            }
        }
        return records;
    }

    private List<Record> instanceRecords(Name name, Member member) {
        List<Record> records = new ArrayList<>();
        new LinkedHashSet<>(addresses(member).values()).forEach(address -> address(name, address.host()).ifPresent(records::add));
        member.attributes().forEach((key, value) -> {
            if (!key.startsWith(RESERVED)) {
                records.add(new TXTRecord(name, DClass.IN, ttl, key + "=" + value));
            }
        });
        return records;
    }

    /**
     * A group's members that selectors may pick — available, on a node not marked unavailable —
     * if it has any (group names are matched without regard to case, as DNS does).
     */
    private Optional<List<Member>> group(String label) {
        Hub current = hub.get();
        return current.groups().stream().filter(g -> g.toLowerCase(Locale.ROOT).equals(label)).findFirst()
                .map(g -> current.select(g, Selector.ALL))
                .filter(members -> !members.isEmpty());
    }

    /** An instance that selectors may pick, found through its groups. */
    private Optional<Member> instance(String id) {
        Hub current = hub.get();
        for (String group : current.groups()) {
            for (Member member : current.select(group, Selector.ALL)) {
                if (member.instanceId().equalsIgnoreCase(id)) {
                    return Optional.of(member);
                }
            }
        }
        return Optional.empty();
    }

    /** The nodes in the view and available. */
    private List<ClusterMember> nodes() {
        ClusterService current = cluster.get();
        return current == null ? List.of()
                : current.members().stream().filter(m -> m.state() == NodeState.AVAILABLE && m.address() != null).toList();
    }

    /** service → where it answers, from attributes named {@code SERVICE.address}; those that are no address are left out. */
    private static Map<String, HostPort> addresses(Member member) {
        Map<String, HostPort> addresses = new java.util.TreeMap<>();
        member.attributes().forEach((key, value) -> {
            if (key.endsWith(ADDRESS_SUFFIX) && !key.startsWith(RESERVED)) {
                try {
                    addresses.put(key.substring(0, key.length() - ADDRESS_SUFFIX.length()).toLowerCase(Locale.ROOT), HostPort.parse(value));
                } catch (IllegalArgumentException notAnAddress) {
                    // published by the member, read by resolvers: a bad one is simply not answered
                }
            }
        });
        return addresses;
    }

    /** An A or AAAA record for an IP literal; none for a host name (the platform publishes no CNAMEs). */
    private Optional<Record> address(Name name, String host) {
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            return Optional.empty();
        }
        try {
            InetAddress address = InetAddress.getByName(host); // a literal: nothing is looked up
            return Optional.of(address instanceof java.net.Inet6Address
                    ? new AAAARecord(name, DClass.IN, ttl, address) : new ARecord(name, DClass.IN, ttl, address));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }

    private List<String> relativeLabels(Name name) {
        Name relative = name.relativize(zone);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < relative.labels(); i++) {
            labels.add(relative.getLabelString(i).toLowerCase(Locale.ROOT));
        }
        return labels;
    }

    private Name child(String relative) {
        try {
            return Name.fromString(relative.toLowerCase(Locale.ROOT), zone);
        } catch (org.xbill.DNS.TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Name nameServer() {
        return child("ns");
    }

    private SOARecord soa() {
        return new SOARecord(zone, DClass.IN, ttl, nameServer(), child("hostmaster"), System.currentTimeMillis() / 1000, 3600, 600,
                86_400, ttl);
    }
}
