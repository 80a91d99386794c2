package io.plinth.itests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Platform builds for upgrade tests: this build's jars republished under release versions, as a release would publish them. */
final class Releases {

    /** The impl modules, each a platform bundle. */
    static final List<String> SUB_SYSTEMS = List.of("hub", "harness", "controller", "rest", "shell", "gateway", "cluster",
            "discovery", "credentials", "management", "upgrade");

    private Releases() {
    }

    /**
     * Publishes platform build {@code version} into a node's system repository: every sub-system's
     * jar of this build with its Bundle-Version set to {@code version}, the API and libraries as
     * they are (or the API too, {@code newApi}), and the discovery bundle without its components
     * when {@code broken} (it starts, but offers none of its services).
     */
    static void publish(Path system, String version, boolean broken, boolean newApi) throws IOException {
        String built = System.getProperty("plinth.version");
        Path impl = Path.of(System.getProperty("plinth.impl"));
        String features = Files.readString(impl.resolveSibling("features/target/feature/feature.xml"));
        List<String> republished = new ArrayList<>(SUB_SYSTEMS);
        if (newApi) {
            republished.add("api");
        }
        for (String name : republished) {
            Path jar = name.equals("api") ? impl.resolveSibling("api/target/plinth-api-" + built + ".jar")
                    : impl.resolve(name + "/target/plinth-" + name + "-" + built + ".jar");
            republish(jar, system.resolve("io/plinth/plinth-" + name + "/" + version + "/plinth-" + name + "-" + version + ".jar"),
                    version, broken && name.equals("discovery"));
            features = features.replace("mvn:io.plinth/plinth-" + name + "/" + built, "mvn:io.plinth/plinth-" + name + "/" + version + "!");
        }
        // Features and this repository take the new version; bundles not republished keep theirs.
        features = features.replace("version=\"" + built + "\"", "version=\"" + version + "\"")
                .replace("name=\"plinth-" + built + "\"", "name=\"plinth-" + version + "\"")
                .replace(version + "!", version);
        Path repository = system.resolve("io/plinth/plinth-features/" + version + "/plinth-features-" + version + "-features.xml");
        Files.createDirectories(repository.getParent());
        Files.writeString(repository, features);
    }

    private static void republish(Path jar, Path target, String version, boolean withoutComponents) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            if (withoutComponents) {
                manifest.getMainAttributes().remove(new Attributes.Name("Service-Component"));
            }
            Files.createDirectories(target.getParent());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), manifest)) {
                for (JarEntry entry : Collections.list(in.entries())) {
                    if (entry.getName().equals(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream content = in.getInputStream(entry)) {
                        content.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
    }
}
