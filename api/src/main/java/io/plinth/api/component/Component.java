package io.plinth.api.component;

import java.util.concurrent.CompletionStage;

import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A Java component: what a developer writes. Publish it as an OSGi service (usually a Declarative
 * Services component with {@code configurationPolicy = REQUIRE} and the PID named by the bundle's
 * {@code Plinth-Component} header); the controller creates one configuration per instance, and
 * the harness calls these methods.
 */
@ConsumerType
public interface Component {

    /**
     * Initializes the instance. Returning marks it {@code available}; throwing ends it.
     * The context stays valid for the instance's whole life.
     */
    void start(ComponentContext context) throws Exception;

    /**
     * A polite request to terminate (seed §4.7.3 "terminate"). Return false to refuse; a forced
     * destroy calls this too but ignores the answer.
     */
    default boolean stop(String reason) {
        return true;
    }

    /**
     * Handles a call or cast. Must not block: finish slow work asynchronously and complete the
     * stage then; the hub stops waiting when the request expires.
     */
    CompletionStage<Reply> handle(Request request);
}
