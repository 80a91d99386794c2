package io.plinth.impl.discovery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import io.plinth.api.discovery.DnsRecord;
import io.plinth.api.error.PlinthException;
import io.plinth.support.JsonFile;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The records agents publish in the zone, kept in {@code data/plinth/discovery/records.json}. Each
 * is checked by parsing it as a zone-file record (dnsjava), so what is stored always answers.
 */
final class AgentRecords {

    private static final Set<Integer> TYPES = Set.of(Type.A, Type.AAAA, Type.SRV, Type.TXT);
    private static final int MAX_TTL = 86_400;

    /** What is stored. */
    record Stored(List<DnsRecord> records) {
        Stored {
            records = records == null ? List.of() : List.copyOf(records);
        }
    }

    private final Name zone;
    private final JsonFile<Stored> store = new JsonFile<>(JsonFile.nodeStore("discovery", "records.json"), Stored.class);
    private final AtomicReference<List<DnsRecord>> records = new AtomicReference<>(List.of());

    AgentRecords(Name zone) {
        this.zone = zone;
        records.set(store.read().map(Stored::records).orElse(List.of()));
    }

    List<DnsRecord> list() {
        return records.get();
    }

    synchronized DnsRecord put(DnsRecord record) {
        if (record == null) {
            throw PlinthException.invalid("a record is needed");
        }
        Name name = absolute(record.name());
        int type = type(record.type());
        if (record.ttlSeconds() < 0 || record.ttlSeconds() > MAX_TTL) {
            throw PlinthException.invalid("ttlSeconds is 0 to " + MAX_TTL + ", not " + record.ttlSeconds());
        }
        if (record.values().isEmpty()) {
            throw PlinthException.invalid("a record needs at least one value");
        }
        for (String value : record.values()) {
            parse(name, type, record.ttlSeconds(), value);
        }
        DnsRecord stored = new DnsRecord(name.toString(), Type.string(type), record.values(), record.ttlSeconds());
        List<DnsRecord> next = new ArrayList<>(without(name, type));
        next.add(stored);
        next.sort(Comparator.comparing(DnsRecord::name).thenComparing(DnsRecord::type));
        save(next);
        return stored;
    }

    synchronized void remove(String name, String type) {
        Name absolute = absolute(name);
        int parsed = type(type);
        List<DnsRecord> next = without(absolute, parsed);
        if (next.size() == records.get().size()) {
            throw PlinthException.notFound("no " + Type.string(parsed) + " record for " + absolute);
        }
        save(next);
    }

    /** The records published for a name, as DNS records. */
    List<Record> lookup(Name name) {
        List<Record> found = new ArrayList<>();
        for (DnsRecord record : records.get()) {
            if (record.name().equalsIgnoreCase(name.toString())) {
                int type = Type.value(record.type());
                record.values().forEach(value -> found.add(parse(name, type, record.ttlSeconds(), value)));
            }
        }
        return found;
    }

    /** Whether records were published for names below this one. */
    boolean hasNamesBelow(Name name) {
        for (DnsRecord record : records.get()) {
            try {
                Name owner = Name.fromString(record.name());
                if (!owner.equals(name) && owner.subdomain(name)) {
                    return true;
                }
            } catch (TextParseException e) {
                // stored names were parsed when they were published
            }
        }
        return false;
    }

    private List<DnsRecord> without(Name name, int type) {
        return records.get().stream().filter(r -> !(r.name().equalsIgnoreCase(name.toString()) && Type.value(r.type()) == type)).toList();
    }

    private void save(List<DnsRecord> next) {
        store.write(new Stored(next));
        records.set(List.copyOf(next));
    }

    /** A name inside the zone: relative names are taken relative to it. */
    private Name absolute(String text) {
        if (text == null || text.isBlank()) {
            throw PlinthException.invalid("a record needs a name");
        }
        try {
            Name name = Name.fromString(text.trim().toLowerCase(Locale.ROOT), zone);
            if (!name.subdomain(zone) || name.equals(zone)) {
                throw PlinthException.invalid(name + " is not a name inside the zone " + zone);
            }
            return name;
        } catch (TextParseException e) {
            throw PlinthException.invalid("not a DNS name: " + text + " (" + e.getMessage() + ")");
        }
    }

    private static int type(String text) {
        int type = text == null ? -1 : Type.value(text.trim().toUpperCase(Locale.ROOT));
        if (!TYPES.contains(type)) {
            throw PlinthException.invalid("a record type is A, AAAA, SRV or TXT, not " + text);
        }
        return type;
    }

    private Record parse(Name name, int type, int ttl, String value) {
        try {
            String text = type == Type.TXT && !value.startsWith("\"") ? "\"" + value.replace("\"", "\\\"") + "\"" : value;
            return Record.fromString(name, type, DClass.IN, ttl, text, zone);
        } catch (IOException | RuntimeException e) {
            throw PlinthException.invalid("not a " + Type.string(type) + " value: '" + value + "' (" + e.getMessage() + ")");
        }
    }
}
