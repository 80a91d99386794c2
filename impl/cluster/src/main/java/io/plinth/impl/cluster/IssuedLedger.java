package io.plinth.impl.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import io.plinth.support.JsonBytes;
import io.plinth.support.JsonFile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the CA issued, kept in {@code data/plinth/cluster/issued.jsonl}: one JSON line per issue
 * or revocation, appended and forced to disk, so keeping a certificate costs the same however many
 * came before; the last line of a serial wins. Read once at start, and written afresh then with
 * only what is still worth keeping.
 */
final class IssuedLedger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IssuedLedger.class);

    private final Path file = JsonFile.nodeStore("cluster", "issued.jsonl");
    private final JsonBytes json = new JsonBytes();
    private FileChannel out;

    /** The entries kept, by serial, in issue order; those {@code stale} says are dropped from the file. */
    Map<String, CertificateManager.Issued> load(java.util.function.Predicate<CertificateManager.Issued> stale) {
        Map<String, CertificateManager.Issued> entries = new LinkedHashMap<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        CertificateManager.Issued entry = json.read(line.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                CertificateManager.Issued.class);
                        entries.put(entry.serial(), entry);
                    } catch (IOException damaged) { // a line cut short by a crash: the rest is kept
                        LOG.warn("Skipped a damaged line of {}: {}", file, damaged.getMessage());
                    }
                }
            }
            entries.values().removeIf(stale);
            rewrite(entries.values());
            out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Keeps an entry (new, or changed: revoked) for good before answering. */
    synchronized void append(CertificateManager.Issued entry) {
        byte[] line = json.write(entry);
        ByteBuffer buffer = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    private void rewrite(Collection<CertificateManager.Issued> entries) throws IOException {
        Files.createDirectories(file.getParent());
        Path fresh = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel channel = FileChannel.open(fresh, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (CertificateManager.Issued entry : entries) {
                channel.write(ByteBuffer.wrap(json.write(entry)));
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            }
            channel.force(true);
        }
        Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.debug("{} certificates kept in {}", entries.size(), file);
    }

    @Override
    public synchronized void close() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            LOG.debug("Closing {}: {}", file, e.toString());
        }
    }
}
