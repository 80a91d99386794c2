package io.plinth.impl.hub;

import io.plinth.api.component.Component;

/** A component instance's endpoint service as the hub tracks it. */
record Endpoint(String instanceId, String type, String version, String node, Component component) {
}
