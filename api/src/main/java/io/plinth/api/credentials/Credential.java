package io.plinth.api.credentials;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A credential as anyone may see it: its shareable data, and only the names of its confidential
 * fields (factotum lists them as {@code name?}).
 *
 * @param name         unique on the node
 * @param module       the module whose operations use it ({@code hmac-sha256}, {@code aws-sigv4}, ...)
 * @param shareable    data that may be shown (an access key id, a region, an algorithm)
 * @param secretFields the names of its confidential fields, sorted
 * @param created      when it was added
 */
public record Credential(String name, String module, Map<String, String> shareable, List<String> secretFields, Instant created) {

    public Credential {
        shareable = Map.copyOf(shareable);
        secretFields = List.copyOf(secretFields);
    }
}
