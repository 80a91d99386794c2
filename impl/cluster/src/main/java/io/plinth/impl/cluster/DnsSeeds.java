package io.plinth.impl.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.plinth.support.HostPort;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds found in DNS (seed 000 §4.5.2, node discovery): each name is asked, whenever the node
 * connects and then every little while, for SRV records — the hosts and ports of members' cluster
 * channels, as a Plinth discovery service answers for {@code _plinth._tcp.node.ZONE} — or, for a
 * name that is no service name, for A/AAAA records, at this node's cluster port. Through the
 * resolver configured, else the system's; nothing is cached, since nodes moving is the point.
 */
final class DnsSeeds {

    private static final Logger LOG = LoggerFactory.getLogger(DnsSeeds.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final List<Name> names;
    /** The DNS server to ask, or null for the system's resolvers. */
    private final HostPort server;
    private final int clusterPort;

    private DnsSeeds(List<Name> names, HostPort server, int clusterPort) {
        this.names = names;
        this.server = server;
        this.clusterPort = clusterPort;
    }

    /**
     * Seeds from comma-separated absolute DNS names, asked at {@code resolver} ({@code host:port},
     * empty for the system's resolvers). A name or resolver that is none is logged and left out:
     * a typo must not keep the node out of its cluster.
     */
    static DnsSeeds of(String commaSeparatedNames, String resolver, int clusterPort) {
        List<Name> names = new ArrayList<>();
        for (String text : commaSeparatedNames.split(",")) {
            if (!text.isBlank()) {
                try {
                    names.add(Name.fromString(text.trim(), Name.root));
                } catch (TextParseException e) {
                    LOG.error("seedNames: '{}' is not a DNS name ({}); left out", text.trim(), e.getMessage());
                }
            }
        }
        HostPort server = null;
        if (!resolver.isBlank()) {
            try {
                server = HostPort.parse(resolver.trim());
            } catch (IllegalArgumentException e) {
                LOG.error("seedResolver: '{}' is not host:port ({}); no DNS seeds", resolver, e.getMessage());
                names.clear();
            }
        }
        return new DnsSeeds(List.copyOf(names), server, clusterPort);
    }

    boolean isEmpty() {
        return names.isEmpty();
    }

    /** The cluster channels the names point at now; a name that cannot be resolved adds none (and is logged). */
    List<InetSocketAddress> resolve() {
        List<InetSocketAddress> seeds = new ArrayList<>();
        if (names.isEmpty()) {
            return seeds;
        }
        Resolver resolver;
        try {
            resolver = server == null ? new ExtendedResolver()
                    : new SimpleResolver(new InetSocketAddress(InetAddress.getByName(server.host()), server.port()));
        } catch (UnknownHostException e) {
            LOG.info("No cluster seeds from DNS: the resolver {} cannot be found ({})", server, e.getMessage());
            return seeds;
        }
        resolver.setTimeout(TIMEOUT);
        for (Name name : names) {
            try {
                if (name.labels() > 1 && name.getLabelString(0).startsWith("_")) {
                    for (Record record : answers(resolver, name, Type.SRV)) {
                        SRVRecord service = (SRVRecord) record;
                        addresses(resolver, service.getTarget()).forEach(address -> seeds.add(new InetSocketAddress(address, service.getPort())));
                    }
                } else {
                    addresses(resolver, name).forEach(address -> seeds.add(new InetSocketAddress(address, clusterPort)));
                }
            } catch (IOException e) {
                LOG.info("No cluster seeds from DNS name {}: {}", name, e.toString());
            }
        }
        return seeds;
    }

    private static List<InetAddress> addresses(Resolver resolver, Name host) throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (Record record : answers(resolver, host, Type.A)) {
            addresses.add(((ARecord) record).getAddress());
        }
        for (Record record : answers(resolver, host, Type.AAAA)) {
            addresses.add(((AAAARecord) record).getAddress());
        }
        return addresses;
    }

    /** The records of one type a name has: none when it does not exist; IOException when the resolver cannot tell. */
    private static List<Record> answers(Resolver resolver, Name name, int type) throws IOException {
        Message response = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new IOException(Type.string(type) + " " + name + ": " + Rcode.string(rcode));
        }
        return response.getSection(Section.ANSWER).stream().filter(record -> record.getType() == type).toList();
    }
}
