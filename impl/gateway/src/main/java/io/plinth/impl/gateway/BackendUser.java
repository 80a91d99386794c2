package io.plinth.impl.gateway;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/** Whatever a backend connection currently serves: a client's exchange, or a mirrored request. */
interface BackendUser {

    /** A part of the backend's answer; the receiver owns (and releases) it. */
    void fromBackend(Channel backend, HttpObject message);

    void backendFailed(Channel backend, Throwable cause);

    default void backendWritabilityChanged() {
    }
}
