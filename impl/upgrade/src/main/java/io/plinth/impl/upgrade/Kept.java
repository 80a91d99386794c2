package io.plinth.impl.upgrade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.framework.Bundle;

/**
 * Copies of bundle jars kept by symbolic name ({@code NAME.jar}): under {@code current/} the
 * platform bundles an upgrade put in (a bundle updated in place keeps its first location, so that
 * location no longer says what runs), under {@code previous/} what a running upgrade replaces, to
 * roll back to.
 */
final class Kept {

    private Kept() {
    }

    static Set<String> names(Path directory) {
        Set<String> names = new TreeSet<>();
        if (Files.isDirectory(directory)) {
            for (String file : directory.toFile().list()) {
                if (file.endsWith(".jar")) {
                    names.add(file.substring(0, file.length() - ".jar".length()));
                }
            }
        }
        return names;
    }

    static Path file(Path directory, String symbolicName) {
        return directory.resolve(symbolicName + ".jar");
    }

    static void keep(Path directory, String symbolicName, Path source) throws IOException {
        Files.createDirectories(directory);
        Files.copy(source, file(directory, symbolicName), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Saves what {@code bundle} runs now into {@code previous}: the copy under {@code current} when
     * it is of the running version, else its location fetched again; fails unless the saved jar is
     * of the running version, since rolling back to anything else would be a change of its own.
     */
    static Path savePrevious(Bundle bundle, Path current, Path previous) throws IOException {
        Files.createDirectories(previous);
        Path saved = file(previous, bundle.getSymbolicName());
        Path kept = file(current, bundle.getSymbolicName());
        Build.Artifact artifact = null;
        if (Files.exists(kept)) {
            artifact = Build.download(kept.toUri().toString(), saved);
        }
        if (artifact == null || !artifact.version().equals(bundle.getVersion())) {
            artifact = Build.download(bundle.getLocation(), saved);
        }
        if (!artifact.version().equals(bundle.getVersion()) || !artifact.symbolicName().equals(bundle.getSymbolicName())) {
            throw new IOException("cannot keep a copy of " + bundle.getSymbolicName() + " " + bundle.getVersion() + " to roll back to: "
                    + bundle.getLocation() + " now holds " + artifact.symbolicName() + " " + artifact.version());
        }
        return saved;
    }
}
