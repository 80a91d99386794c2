package io.plinth.api.discovery;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The discovery service (seed 000 §4.6.7): an authoritative DNS server for the platform's zone.
 * It answers from the hub as it is at the moment of the query — {@code GROUP.group.ZONE} (A, TXT,
 * and SRV {@code _SERVICE._tcp.GROUP.group.ZONE} for members publishing {@code SERVICE.address}),
 * {@code ID.instance.ZONE}, {@code NODE.node.ZONE} — listing only available members, and from the
 * records agents publish here. Every method fails with {@link io.plinth.api.error.PlinthException}.
 */
@ProviderType
public interface DiscoveryService {

    /** The zone, absolute: {@code plinth.internal.} by default. */
    String zone();

    /** The records agents published, sorted by name and type. */
    List<DnsRecord> records();

    /** Publishes (or replaces) the record set of a name and type; INVALID for a bad name, type or value. */
    DnsRecord put(DnsRecord record);

    /** Withdraws a record set; NOT_FOUND when there is none. */
    void remove(String name, String type);
}
