package io.plinth.api.component;

/** How a component type's code is delivered. */
public enum ComponentKind {
    /** An OSGi bundle; the artifact is its {@code mvn:} URL. */
    BUNDLE,
    /** A Karaf feature; the artifact is the feature's name, from a repository already added. */
    FEATURE
}
