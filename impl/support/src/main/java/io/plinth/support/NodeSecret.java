package io.plinth.support;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's root secrets: the key that encrypts its key stores, the key that seals its credentials.
 * Each is read from the Linux kernel's key retention service (keyrings(7)) when the operator put
 * it in the user keyring of the node's user, as a {@code user} key named
 * {@code plinth:<karaf.name>:<name>} — then it is never on disk, and gone at reboot until put back
 * (from a vault, a TPM, an operator). Otherwise it is a file of 32 random bytes, mode 0600, made on
 * first use, with a warning. Moving one into the keyring:
 * {@code keyctl padd user plinth:NODE:NAME @u < FILE && shred -u FILE}.
 */
public final class NodeSecret {

    private static final Logger LOG = LoggerFactory.getLogger(NodeSecret.class);
    private static final int SECRET_BYTES = 32;

    private NodeSecret() {
    }

    /** The secret {@code name} of this node: from the keyring, else from (or newly into) {@code file}. The caller wipes it. */
    public static byte[] read(String name, Path file) {
        String description = "plinth:" + System.getProperty("karaf.name", "root") + ":" + name;
        Optional<byte[]> held = KernelKeyring.read(description);
        if (held.isPresent()) {
            LOG.debug("The {} comes from the kernel keyring ({})", name, description);
            return held.get();
        }
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[SECRET_BYTES];
                new SecureRandom().nextBytes(fresh);
                writeOwnerOnly(file, fresh);
                Arrays.fill(fresh, (byte) 0);
                LOG.warn("The {} is in {} (mode 0600): keep the data directory private, or move it into the kernel keyring"
                        + " as user key {} (keyctl padd user {} @u < FILE, then delete the file)", name, file, description, description);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the " + name + " " + file, e);
        }
    }

    private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        try {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException leftOver) {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        }
        Files.write(temporary, content);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * request_key(2) and keyctl(2) KEYCTL_READ through libc's syscall(2): no libkeyutils needed.
     * Empty where there is no keyring (another OS, a seccomp profile forbidding it) or no such key.
     */
    static final class KernelKeyring {
        private static final long KEY_SPEC_USER_KEYRING = -4;
        private static final long KEYCTL_READ = 11;
        private static final int MAX_BYTES = 4096;

        interface C extends Library {
            long syscall(long number, Object... arguments);
        }

        private KernelKeyring() {
        }

        static Optional<byte[]> read(String description) {
            long[] calls = syscalls();
            if (calls == null) {
                return Optional.empty();
            }
            try {
                C libc = Native.load("c", C.class);
                long key = libc.syscall(calls[0], "user", description, null, KEY_SPEC_USER_KEYRING);
                if (key < 0) {
                    return Optional.empty(); // no such key, or no keyring service here
                }
                Memory buffer = new Memory(MAX_BYTES);
                try {
                    long length = libc.syscall(calls[1], KEYCTL_READ, key, buffer, (long) MAX_BYTES);
                    return length <= 0 || length > MAX_BYTES ? Optional.empty() : Optional.of(buffer.getByteArray(0, (int) length));
                } finally {
                    buffer.clear(); // the native copy, wiped before it is freed
                    buffer.close();
                }
            } catch (LinkageError | RuntimeException e) {
                LOG.debug("No kernel keyring: {}", e.toString());
                return Optional.empty();
            }
        }

        /** {request_key, keyctl} syscall numbers of this machine, or null where they are not known. */
        private static long[] syscalls() {
            if (!Platform.isLinux()) {
                return null;
            }
            return switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> new long[] {249, 250};
                case "aarch64" -> new long[] {218, 219};
                default -> null;
            };
        }
    }
}
