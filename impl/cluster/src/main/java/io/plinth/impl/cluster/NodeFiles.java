package io.plinth.impl.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import io.plinth.support.JsonFile;
import io.plinth.support.NodeSecret;


/**
 * What a node keeps of its cluster membership, in {@code ${karaf.data}/plinth/cluster} (mode 0700):
 * {@code membership.json}; {@code node.p12}, its key and certificate chain; on the node holding the
 * CA, {@code ca.p12}. Key stores are PKCS #12 encrypted (PBES2, AES-256) with the node secret, so no
 * private key is ever written in plaintext. The node secret itself, 32 random bytes, is taken from
 * the kernel keyring when an operator put it there, else kept in {@code node.secret}, mode 0600.
 */
final class NodeFiles {

    /**
     * What a node remembers of its cluster. {@code authority}: the join service (host:port) of the
     * CA's node, where it renews its certificate (null on the CA's node); {@code unavailable}: an
     * admin marked the node so; {@code draining}: it is being decommissioned (both kept across restarts).
     */
    record Membership(String cluster, String node, String nodeId, String caFingerprint, String authority, List<String> seeds,
                      boolean unavailable, boolean draining) {
        Membership {
            seeds = seeds == null ? List.of() : List.copyOf(seeds);
        }

        Membership withSeeds(List<String> newSeeds) {
            return new Membership(cluster, node, nodeId, caFingerprint, authority, newSeeds, unavailable, draining);
        }

        Membership withUnavailable(boolean mark) {
            return new Membership(cluster, node, nodeId, caFingerprint, authority, seeds, mark, draining);
        }

        Membership beingDecommissioned() {
            return new Membership(cluster, node, nodeId, caFingerprint, authority, seeds, unavailable, true);
        }
    }

    /** A private key with its certificate chain, the key's own certificate first. */
    record KeyEntry(PrivateKey key, X509Certificate[] chain) {
        X509Certificate certificate() {
            return chain[0];
        }
    }

    private static final String OWNER_ONLY = "rw-------";
    private static final String ALIAS = "key";

    private final Path directory;
    private final JsonFile<Membership> membership;

    NodeFiles() {
        this.directory = JsonFile.nodeStore("cluster", "").normalize();
        this.membership = new JsonFile<>(directory.resolve("membership.json"), Membership.class);
        try {
            Files.createDirectories(directory);
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + directory, e);
        }
    }

    Optional<Membership> membership() {
        return membership.read();
    }

    void saveMembership(Membership value) {
        membership.write(value);
    }

    /** Forgets the membership and this node's keys: the node is in no cluster any more. */
    void forgetMembership(String keysName) {
        membership.delete();
        try {
            Files.deleteIfExists(directory.resolve(keysName + ".p12"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the key store " + keysName, e);
        }
    }

    /** The cluster CA's latest CRL this node took (DER), if any. */
    Optional<byte[]> crl() {
        Path file = directory.resolve("crl.der");
        try {
            return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    void saveCrl(byte[] der) {
        try {
            writeOwnerOnly(directory.resolve("crl.der"), der);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the CRL", e);
        }
    }

    /** What a client of this node's management channels should trust, PEM: not secret, so readable by the node's user alone like the rest. */
    void saveTrustAnchor(String pem) {
        try {
            writeOwnerOnly(directory.resolve("management-ca.pem"), pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write management-ca.pem", e);
        }
    }

    Optional<KeyEntry> keyEntry(String name) {
        Path file = directory.resolve(name + ".p12");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        char[] password = password();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(Files.readAllBytes(file)), password);
            PrivateKey key = (PrivateKey) store.getKey(ALIAS, password);
            Certificate[] chain = store.getCertificateChain(ALIAS);
            return Optional.of(new KeyEntry(key, Arrays.copyOf(chain, chain.length, X509Certificate[].class)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + file + " (was node.secret replaced?)", e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    void saveKeyEntry(String name, KeyEntry entry) {
        char[] password = password();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, entry.key(), password, entry.chain());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            store.store(bytes, password);
            writeOwnerOnly(directory.resolve(name + ".p12"), bytes.toByteArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot save the key store " + name, e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The key stores' password: the node secret ({@link NodeSecret}: the kernel keyring, or {@code node.secret}). */
    private synchronized char[] password() {
        boolean sealedStores;
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            sealedStores = files.anyMatch(file -> file.getFileName().toString().endsWith(".p12"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        byte[] secret = NodeSecret.read("node-secret", directory.resolve("node.secret"), sealedStores);
        char[] password = Base64.getEncoder().encodeToString(secret).toCharArray();
        Arrays.fill(secret, (byte) 0);
        return password;
    }

    /** Writes a file that only the node's user can read, replacing the old one at once. */
    private void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Path temporary = directory.resolve(file.getFileName() + ".new");
        try {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
        } catch (FileAlreadyExistsException leftOver) {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(OWNER_ONLY));
        }
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(temporary,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(java.nio.ByteBuffer.wrap(content));
            out.force(true); // on disk before it replaces the old file: a crash leaves one or the other
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
