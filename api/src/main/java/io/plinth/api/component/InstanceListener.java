package io.plinth.api.component;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Monitors instances (whiteboard): register an OSGi service of this type, optionally with the
 * {@link #INSTANCE} property (String or String[]) to hear about some instances only.
 * Called on a platform thread, in order; must not block.
 */
@ConsumerType
public interface InstanceListener {

    /** Service property: the instance ids this listener watches; absent means all. */
    String INSTANCE = "plinth.instance.watch";

    void instanceEvent(InstanceEvent event);
}
