package io.plinth.api.hub;

import java.util.Locale;
import java.util.Objects;

/**
 * Which members of a group a request goes to (seed §4.7.2 "selector").
 *
 * @param kind      the rule
 * @param attribute for {@link Kind#LEAST_LOADED}: the numeric member attribute that measures load
 */
public record Selector(Kind kind, String attribute) {

    public enum Kind {
        /** One member, chosen round-robin. */
        ANY,
        /** Every member; a call gets one reply per member. */
        ALL,
        /** One member on this node if there is one, else any. */
        LOCAL,
        /** The member with the smallest value of an attribute; members without it count as 0. */
        LEAST_LOADED
    }

    public static final Selector ANY = new Selector(Kind.ANY, null);
    public static final Selector ALL = new Selector(Kind.ALL, null);
    public static final Selector LOCAL = new Selector(Kind.LOCAL, null);

    public Selector {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.LEAST_LOADED && (attribute == null || attribute.isBlank())) {
            throw new IllegalArgumentException("least-loaded needs the attribute that measures load");
        }
    }

    public static Selector leastLoaded(String attribute) {
        return new Selector(Kind.LEAST_LOADED, attribute);
    }

    /** Parses {@code any}, {@code all}, {@code local} or {@code least-loaded:ATTRIBUTE}. */
    public static Selector parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("least-loaded:")) {
            return leastLoaded(text.trim().substring("least-loaded:".length()));
        }
        switch (value) {
            case "any": return ANY;
            case "all": return ALL;
            case "local": return LOCAL;
            default:
                throw new IllegalArgumentException("unknown selector '" + text + "': use any, all, local or least-loaded:ATTRIBUTE");
        }
    }

    @Override
    public String toString() {
        return kind == Kind.LEAST_LOADED ? "least-loaded:" + attribute : kind.name().toLowerCase(Locale.ROOT);
    }
}
