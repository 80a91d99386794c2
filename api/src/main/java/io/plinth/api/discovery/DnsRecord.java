package io.plinth.api.discovery;

import java.util.List;
import java.util.Locale;

/**
 * A record an agent publishes in the discovery zone (beside those the platform derives from the hub).
 *
 * @param name       the owner name, relative to the zone ({@code billing}) or absolute inside it
 *                   ({@code billing.plinth.internal.})
 * @param type       {@code A}, {@code AAAA}, {@code SRV} or {@code TXT}
 * @param values     in zone-file form: an address; {@code PRIORITY WEIGHT PORT TARGET}; or the text
 * @param ttlSeconds how long resolvers may cache it
 */
public record DnsRecord(String name, String type, List<String> values, int ttlSeconds) {

    public DnsRecord {
        type = type == null ? null : type.trim().toUpperCase(Locale.ROOT);
        values = values == null ? List.of() : List.copyOf(values);
    }
}
