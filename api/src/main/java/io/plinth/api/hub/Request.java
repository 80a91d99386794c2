package io.plinth.api.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A call or cast (seed §4.7.2): an operation on an object of a target, with inputs, binary
 * attachments and an expiry after which nobody waits for the answer any more.
 *
 * @param correlation unique token matching replies to this request; the hub fills it in when empty
 * @param target      the instance, group or unique name addressed
 * @param selector    which group members receive it (ignored for instance and name targets)
 * @param object      the component's object addressed; empty for the component itself
 * @param operation   what to do
 * @param inputs      named textual inputs
 * @param attachments named binary attachments
 * @param expiry      when the request expires
 * @param caller      who asks: an instance id, or a client name
 */
public record Request(String correlation, Target target, Selector selector, String object, String operation,
                      Map<String, String> inputs, Map<String, byte[]> attachments, Instant expiry, String caller) {

    /** How long a request lives when its sender does not say. */
    public static final Duration DEFAULT_EXPIRY = Duration.ofSeconds(5);

    public Request {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(expiry, "expiry");
        if (operation == null || operation.isBlank()) {
            throw new IllegalArgumentException("a request needs an operation");
        }
        correlation = correlation == null ? "" : correlation;
        selector = selector == null ? Selector.ANY : selector;
        object = object == null ? "" : object;
        inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
        attachments = attachments == null ? Map.of() : Map.copyOf(attachments);
        caller = caller == null ? "" : caller;
    }

    public static Builder to(Target target) {
        return new Builder(target);
    }

    /** The same request with another correlation token. */
    public Request withCorrelation(String newCorrelation) {
        return new Request(newCorrelation, target, selector, object, operation, inputs, attachments, expiry, caller);
    }

    public boolean expired() {
        return !Instant.now().isBefore(expiry);
    }

    public String input(String name) {
        return inputs.get(name);
    }

    public static final class Builder {
        private final Target target;
        private Selector selector = Selector.ANY;
        private String object = "";
        private String operation;
        private final Map<String, String> inputs = new HashMap<>();
        private final Map<String, byte[]> attachments = new HashMap<>();
        private Duration expiresIn = DEFAULT_EXPIRY;
        private String caller = "";

        private Builder(Target target) {
            this.target = target;
        }

        public Builder selector(Selector value) { selector = value; return this; }
        public Builder object(String value) { object = value; return this; }
        public Builder operation(String value) { operation = value; return this; }
        public Builder input(String name, String value) { inputs.put(name, value); return this; }
        public Builder inputs(Map<String, String> values) { inputs.putAll(values); return this; }
        public Builder attachment(String name, byte[] value) { attachments.put(name, value); return this; }
        public Builder expiresIn(Duration value) { expiresIn = value; return this; }
        public Builder caller(String value) { caller = value; return this; }

        public Request build() {
            return new Request("", target, selector, object, operation, inputs, attachments,
                    Instant.now().plus(expiresIn), caller);
        }
    }
}
