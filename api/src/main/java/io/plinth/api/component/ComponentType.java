package io.plinth.api.component;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A component type (seed §4.2.5): one exact version of one component's code. Immutable: a new
 * version is a new type, and types run side by side.
 *
 * @param name      the type's name
 * @param version   the exact version, {@code MAJOR.MINOR.MICRO[.QUALIFIER]}
 * @param kind      how the code is delivered
 * @param artifact  where the code comes from ({@code mvn:} URL for bundles, feature name for features)
 * @param component the configuration PID of the component to run; empty: read the bundle's
 *                  {@code Plinth-Component} header
 * @param defaults  configuration every instance starts from
 */
public record ComponentType(String name, String version, ComponentKind kind, String artifact,
                            String component, Map<String, String> defaults) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+(\\.[A-Za-z0-9_-]+)?");

    public ComponentType {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad type name '" + name + "': letters, digits, '.', '_' and '-', at most 128");
        }
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("bad version '" + version + "' of type " + name
                    + ": an exact version reads MAJOR.MINOR.MICRO[.QUALIFIER], e.g. 1.0.0");
        }
        Objects.requireNonNull(kind, "kind");
        if (artifact == null || artifact.isBlank()) {
            throw new IllegalArgumentException("type " + name + " needs an artifact");
        }
        if (kind == ComponentKind.BUNDLE && !artifact.startsWith("mvn:") && !artifact.startsWith("file:")) {
            throw new IllegalArgumentException("a bundle type's artifact is a mvn: or file: URL, not '" + artifact + "'");
        }
        component = component == null ? "" : component;
        defaults = defaults == null ? Map.of() : Map.copyOf(defaults);
    }

    /** {@code name/version}, the type's key everywhere. */
    public String key() {
        return name + "/" + version;
    }
}
