package io.plinth.api.component;

import java.time.Instant;

/**
 * An instance changed state. Termination is the event with state {@link InstanceState#DESTROYED};
 * its reason says why ({@code normal}, {@code shutdown}, {@code killed}, {@code linked ID: ...},
 * {@code crashed: ...}).
 */
public record InstanceEvent(String instanceId, String type, String version, InstanceState state,
                            String reason, Instant time) {
}
