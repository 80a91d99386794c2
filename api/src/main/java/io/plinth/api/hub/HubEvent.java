package io.plinth.api.hub;

import java.time.Instant;

/**
 * What changed in the hub: a member joined or left a group, an attribute changed, a unique name
 * changed owner.
 *
 * @param kind       what happened
 * @param subject    the group, the unique name, or the target ({@code instance:ID}, {@code group:NAME})
 *                   whose attribute changed
 * @param instanceId the member that joined or left, the new owner (empty when nobody owns the name)
 * @param attribute  the attribute's name, for {@link Kind#ATTRIBUTE_CHANGED}
 * @param value      the attribute's new value (null when removed)
 * @param time       when it happened
 */
public record HubEvent(Kind kind, String subject, String instanceId, String attribute, String value, Instant time) {

    public enum Kind { MEMBER_JOINED, MEMBER_LEFT, ATTRIBUTE_CHANGED, OWNER_CHANGED }
}
