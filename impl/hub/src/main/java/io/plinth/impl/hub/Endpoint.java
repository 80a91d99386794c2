package io.plinth.impl.hub;

import io.plinth.api.component.Component;

/** A component instance's endpoint as the hub tracks it: a local service, or an instance of another node. */
record Endpoint(String instanceId, String type, String version, String node, Component component) {

    boolean remote() {
        return component instanceof RemoteComponent;
    }
}
