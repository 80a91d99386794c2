package io.plinth.impl.upgrade;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;

import org.apache.karaf.features.BundleInfo;
import org.apache.karaf.features.Dependency;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.features.Repository;
import org.osgi.framework.Version;

/**
 * A platform build: the feature {@value #ROOT} of one version of the platform's features
 * repository, its bundles fetched into a staging directory (each read for its symbolic name and
 * version), and the features of other repositories it needs.
 */
final class Build {

    /** The platform's umbrella feature. */
    static final String ROOT = "plinth";

    private static final Pattern VERSION = Pattern.compile("[0-9][0-9A-Za-z._-]{0,63}");

    /**
     * One bundle of the build, fetched to {@code file}. A {@code dependency} (a library the features
     * mark {@code dependency="true"}) is only needed when nothing installed provides it.
     */
    record Artifact(String symbolicName, Version version, String location, Path file, boolean dependency) {
    }

    final String version;
    final URI repository;
    /** The root feature's version as Karaf spells it. */
    final String featureVersion;
    /** By symbolic name, in the order the features list them. */
    final Map<String, Artifact> artifacts;
    /** Features of other repositories the build needs (name, or name/version range). */
    final Set<String> externalFeatures;

    private Build(String version, URI repository, String featureVersion, Map<String, Artifact> artifacts, Set<String> externalFeatures) {
        this.version = version;
        this.repository = repository;
        this.featureVersion = featureVersion;
        this.artifacts = artifacts;
        this.externalFeatures = externalFeatures;
    }

    /** Where a platform version's features repository is. INVALID for a malformed or snapshot version. */
    static URI repository(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw PlinthException.invalid("not a platform version: " + version + " (expected a Maven version such as 0.2.0)");
        }
        if (version.endsWith("SNAPSHOT")) {
            // Karaf's deployer updates a snapshot bundle again, all at once, whenever its checksum changes.
            throw PlinthException.invalid("a platform upgrade takes a released build, not the snapshot " + version);
        }
        return URI.create("mvn:io.plinth/plinth-features/" + version + "/xml/features");
    }

    /** Reads the build's repository and fetches its bundles into {@code staging} (emptied first). NOT_FOUND when it cannot. */
    static Build fetch(FeaturesService features, String version, Path staging) {
        URI repository = repository(version);
        Repository read;
        try {
            read = features.createRepository(repository);
        } catch (Exception e) {
            throw new PlinthException(Reason.NOT_FOUND, "no platform build " + version + ": cannot read " + repository + ": " + e.getMessage(), e);
        }
        Map<String, Feature> byName = new HashMap<>();
        Feature root = null;
        try {
            for (Feature feature : read.getFeatures()) {
                byName.put(feature.getName(), feature);
                if (feature.getName().equals(ROOT)) {
                    root = feature;
                }
            }
        } catch (Exception e) {
            throw new PlinthException(Reason.NOT_FOUND, "cannot read the features of " + repository + ": " + e.getMessage(), e);
        }
        if (root == null) {
            throw PlinthException.notFound(repository + " has no feature " + ROOT + ": not a platform build");
        }
        List<BundleInfo> bundles = new ArrayList<>();
        Set<String> external = new TreeSet<>();
        collect(root, byName, new TreeSet<>(), bundles, external);
        Map<String, Artifact> artifacts = new LinkedHashMap<>();
        try {
            emptyDirectory(staging);
            for (BundleInfo bundle : bundles) {
                Artifact fetched = download(bundle.getLocation(), staging.resolve("fetching.jar"));
                Path named = Kept.file(staging, fetched.symbolicName());
                Files.move(fetched.file(), named, StandardCopyOption.REPLACE_EXISTING);
                artifacts.putIfAbsent(fetched.symbolicName(),
                        new Artifact(fetched.symbolicName(), fetched.version(), fetched.location(), named, bundle.isDependency()));
            }
        } catch (IOException e) {
            throw new PlinthException(Reason.NOT_FOUND, "cannot fetch the bundles of platform build " + version + ": " + e.getMessage(), e);
        }
        return new Build(version, repository, root.getVersion(), artifacts, external);
    }

    private static void collect(Feature feature, Map<String, Feature> byName, Set<String> seen, List<BundleInfo> bundles, Set<String> external) {
        if (!seen.add(feature.getName())) {
            return;
        }
        for (Dependency dependency : feature.getDependencies()) {
            Feature inRepository = byName.get(dependency.getName());
            if (inRepository != null) {
                collect(inRepository, byName, seen, bundles, external);
            } else {
                external.add(dependency.getName());
            }
        }
        bundles.addAll(feature.getBundles());
    }

    /** Fetches one bundle (through Karaf's URL handlers: mvn:, file:, http:) and reads its identity. */
    static Artifact download(String location, Path file) throws IOException {
        try (InputStream in = new URL(location).openStream()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (JarFile jar = new JarFile(file.toFile())) {
            Manifest manifest = jar.getManifest();
            String name = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
            if (name == null) {
                throw new IOException(location + " is not a bundle");
            }
            Version version = Version.parseVersion(manifest.getMainAttributes().getValue("Bundle-Version"));
            return new Artifact(name.split(";")[0].trim(), version, location, file, false);
        }
    }

    static void emptyDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            try (var files = Files.list(directory)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(directory);
    }
}
