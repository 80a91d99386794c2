package io.plinth.api.gateway;

import java.util.List;

/**
 * Where the gateway sends requests: those for {@code host} (any host when null) whose path starts
 * with {@code pathPrefix} (whole segments: "/api" takes "/api/users", not "/apis") go to this
 * route's backend, whose versions are listed oldest first. The
 * route matching a request is the one with the longest prefix, a route naming the request's host
 * before one for any host. The route {@value #DEFAULT} (any host, "/") always exists; the 003
 * seed's {@code /configuration/cluster} API manages its versions.
 *
 * @param name       the route's name
 * @param host       the host it serves (without port), or null for any
 * @param pathPrefix the path prefix it serves, starting with "/"
 * @param versions   its backend's versions, oldest first (ignored when a route is added)
 */
public record Route(String name, String host, String pathPrefix, List<BackendVersion> versions) {

    public static final String DEFAULT = "default";

    public Route {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("bad route name '" + name + "': letters, digits, '.', '_' and '-', at most 64");
        }
        host = host == null || host.isBlank() ? null : host.trim().toLowerCase(java.util.Locale.ROOT);
        pathPrefix = pathPrefix == null || pathPrefix.isBlank() ? "/" : pathPrefix;
        if (!pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException("a path prefix starts with '/', not '" + pathPrefix + "'");
        }
        versions = versions == null ? List.of() : List.copyOf(versions);
    }
}
