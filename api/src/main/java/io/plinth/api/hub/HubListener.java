package io.plinth.api.hub;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Monitors the hub (whiteboard): register an OSGi service of this type, optionally with the
 * {@link #SUBJECT} property (String or String[]) to hear about some groups, names or targets only.
 * Listeners are called one event at a time, in order, on a hub thread; they must not block.
 */
@ConsumerType
public interface HubListener {

    /** Service property: the {@link HubEvent#subject()}s this listener wants; absent means all. */
    String SUBJECT = "plinth.hub.subject";

    void hubEvent(HubEvent event);
}
