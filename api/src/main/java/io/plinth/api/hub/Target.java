package io.plinth.api.hub;

import java.util.Objects;

/**
 * The subject of a hub action (seed §4.7.2): one component instance, a group of components, or
 * the current owner of a unique name.
 */
public record Target(Kind kind, String name) {

    public enum Kind { INSTANCE, GROUP, NAME }

    public Target {
        Objects.requireNonNull(kind, "kind");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a target needs a name");
        }
    }

    public static Target instance(String instanceId) {
        return new Target(Kind.INSTANCE, instanceId);
    }

    public static Target group(String group) {
        return new Target(Kind.GROUP, group);
    }

    public static Target name(String uniqueName) {
        return new Target(Kind.NAME, uniqueName);
    }

    /** Parses the text form {@code instance:ID}, {@code group:NAME} or {@code name:NAME}. */
    public static Target parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a target reads KIND:NAME with KIND instance, group or name, not '" + text + "'");
        }
        Kind kind;
        try {
            kind = Kind.valueOf(text.substring(0, colon).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown target kind in '" + text + "': use instance, group or name");
        }
        return new Target(kind, text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
    }
}
