package io.plinth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value kept in a JSON file. Each write goes to a fresh temporary file, is forced to disk, and
 * replaces the file atomically, so a crash leaves either the old or the new content.
 */
public final class JsonFile<T> {

    private static final Logger LOG = LoggerFactory.getLogger(JsonFile.class);

    private final ObjectMapper mapper = JsonBytes.newMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Class<T> type;

    public JsonFile(Path file, Class<T> type) {
        this.file = file;
        this.type = type;
    }

    /** The node-local store of a sub-system: {@code ${karaf.data}/plinth/<subsystem>/<name>}. */
    public static Path nodeStore(String subsystem, String name) {
        String data = System.getProperty("karaf.data", "data");
        return Path.of(data, "plinth", subsystem, name);
    }

    /**
     * The stored value; empty when there is none. An unreadable file is moved aside (and logged)
     * rather than failing every start from now on.
     */
    public Optional<T> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapper.readValue(file.toFile(), type));
        } catch (IOException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + System.currentTimeMillis());
            LOG.error("Cannot read {}; moved it to {} and starting without it", file, aside, e);
            try {
                Files.move(file, aside);
            } catch (IOException moveFailure) {
                e.addSuppressed(moveFailure);
                throw new UncheckedIOException("cannot read " + file, e);
            }
            return Optional.empty();
        }
    }

    public synchronized void write(T value) {
        try {
            Files.createDirectories(file.getParent());
            Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            ByteBuffer content = ByteBuffer.wrap(mapper.writeValueAsBytes(value));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                while (content.hasRemaining()) {
                    channel.write(content);
                }
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }
}
