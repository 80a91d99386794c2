package io.plinth.impl.upgrade;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

import io.plinth.support.JsonFile;

/** The upgrade journal: the last upgrade started on this node, rewritten (atomically) at each step. */
final class Journal {

    private final JsonFile<Job> file;

    Journal(Path path) {
        this.file = new JsonFile<>(path, Job.class);
    }

    /** The last upgrade, or null when none ever ran here. */
    synchronized Job read() {
        return file.read().orElse(null);
    }

    synchronized void write(Job job) {
        file.write(job);
    }

    synchronized Job update(UnaryOperator<Job> change) {
        Job changed = change.apply(read());
        file.write(changed);
        return changed;
    }
}
