package io.plinth.support;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;

/**
 * Values as JSON bytes, bound to fixed record types only (no polymorphic typing, so nothing a
 * sender writes can make us instantiate a class it chose): for control messages between nodes
 * and for files.
 */
public final class JsonBytes {

    private final ObjectMapper mapper = newMapper();

    /**
     * A mapper with a type cache of its own: Jackson's shared one would keep our classes, and with
     * them every replaced bundle revision's class loader, alive. Unknown properties are ignored, so
     * a newer node's messages and files stay readable.
     */
    static ObjectMapper newMapper() {
        return new ObjectMapper()
                .setTypeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 64)))
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public byte[] write(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public <T> T read(byte[] bytes, Class<T> type) throws IOException {
        if (bytes.length > Codec.MAX_LENGTH) {
            throw new IOException("a message of " + bytes.length + " bytes is too long");
        }
        return mapper.readValue(bytes, type);
    }
}
