package io.plinth.api.hub;

import java.util.HashMap;
import java.util.Map;

/**
 * One component's answer to a call: either outputs and attachments, or an error.
 *
 * @param correlation the request's correlation token
 * @param instanceId  the instance that answered
 * @param outputs     named textual outputs
 * @param attachments named binary attachments
 * @param error       why the component could not fulfil the request, or null on success
 */
public record Reply(String correlation, String instanceId, Map<String, String> outputs,
                    Map<String, byte[]> attachments, String error) {

    public Reply {
        correlation = correlation == null ? "" : correlation;
        instanceId = instanceId == null ? "" : instanceId;
        outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
        attachments = attachments == null ? Map.of() : Map.copyOf(attachments);
    }

    public boolean failed() {
        return error != null;
    }

    public String output(String name) {
        return outputs.get(name);
    }

    /** This reply attributed to an instance and a request (the hub stamps both). */
    public Reply from(String answeringInstance, String requestCorrelation) {
        return new Reply(requestCorrelation, answeringInstance, outputs, attachments, error);
    }

    public static Reply error(String message) {
        return new Reply("", "", Map.of(), Map.of(), message == null ? "error" : message);
    }

    public static Builder ok() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, String> outputs = new HashMap<>();
        private final Map<String, byte[]> attachments = new HashMap<>();

        private Builder() {
        }

        public Builder output(String name, String value) { outputs.put(name, value); return this; }
        public Builder attachment(String name, byte[] value) { attachments.put(name, value); return this; }

        public Reply build() {
            return new Reply("", "", outputs, attachments, null);
        }
    }
}
