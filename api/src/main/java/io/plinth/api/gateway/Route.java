package io.plinth.api.gateway;

import java.util.List;

/**
 * Where the gateway sends requests: a route and the versions of its backend, oldest first.
 * This version of the gateway has one route, {@value #DEFAULT}, for every host and path.
 */
public record Route(String name, List<BackendVersion> versions) {

    public static final String DEFAULT = "default";

    public Route {
        versions = List.copyOf(versions);
    }
}
