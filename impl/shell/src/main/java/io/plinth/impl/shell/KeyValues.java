package io.plinth.impl.shell;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Parses the {@code key=value} lists commands take, and prints maps the same way. */
final class KeyValues {

    private KeyValues() {
    }

    /** The pairs as a map, in the order given (a repeated key keeps its last value). */
    static Map<String, String> parse(List<String> pairs) {
        Map<String, String> values = new LinkedHashMap<>();
        if (pairs == null) {
            return values;
        }
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("missing '=' in '" + pair + "': write key=value");
            }
            if (equals == 0) {
                throw new IllegalArgumentException("missing key in '" + pair + "': write key=value");
            }
            values.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return values;
    }

    /** One {@code key=value} per entry, sorted by key so the same map always reads the same. */
    static List<String> entries(Map<String, ?> values) {
        return new TreeMap<>(values).entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.toList());
    }

    /** The entries on one line, for a table cell. */
    static String format(Map<String, ?> values) {
        return String.join(", ", entries(values));
    }
}
