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

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
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

    /**
     * The secret {@code name} of this node: from the keyring, else from (or newly into) {@code file}.
     * Never a new one while data sealed with the old one exists ({@code sealedDataExists}): that
     * data would be lost; it fails instead, asking for the key back. The caller wipes the secret.
     */
    public static byte[] read(String name, Path file, boolean sealedDataExists) {
        String description = "plinth:" + System.getProperty("karaf.name", "root") + ":" + name;
        Optional<byte[]> held = KernelKeyring.read(description);
        if (held.isPresent()) {
            if (held.get().length != SECRET_BYTES) {
                Arrays.fill(held.get(), (byte) 0);
                throw new IllegalStateException("the keyring key " + description + " holds " + held.get().length + " bytes, not "
                        + SECRET_BYTES + " (add it with keyctl padd, from a file of exactly those bytes)");
            }
            return held.get();
        }
        try {
            if (!Files.exists(file)) {
                if (sealedDataExists) {
                    throw new IllegalStateException("the " + name + " is neither in the kernel keyring (user key " + description
                            + ") nor in " + file + ", and data sealed with it exists: put the key back (a reboot empties the keyring)");
                }
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
     * keyctl(2) KEYCTL_SEARCH in the user keyring, then KEYCTL_READ, through libc's syscall(2): no
     * libkeyutils needed. Empty where there is no keyring (another OS, a seccomp profile forbidding
     * it) or no such key; reading needs the key's read permission for its user, or possession.
     */
    static final class KernelKeyring {
        private static final long KEY_SPEC_USER_KEYRING = -4;
        private static final long KEYCTL_SEARCH = 10;
        private static final long KEYCTL_READ = 11;
        private static final int MAX_BYTES = 4096;
        private static volatile boolean unusableReported;

        private KernelKeyring() {
        }

        static Optional<byte[]> read(String description) {
            Long keyctl = keyctlSyscall();
            if (keyctl == null) {
                return Optional.empty();
            }
            try {
                // Functions looked up by name rather than an interface mapped with Native.load: JNA
                // keeps mapped interfaces in static maps that would pin this bundle's class loader.
                NativeLibrary libc = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
                Function syscall = libc.getFunction("syscall");
                long key = syscall.invokeLong(new Object[] {keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", description, 0L});
                if (key < 0) {
                    return Optional.empty(); // no such key, or no keyring service here
                }
                Memory buffer = new Memory(MAX_BYTES);
                boolean locked = libc.getFunction("mlock").invokeInt(new Object[] {buffer, (long) MAX_BYTES}) == 0; // never swapped out, where RLIMIT_MEMLOCK permits
                try {
                    long length = syscall.invokeLong(new Object[] {keyctl, KEYCTL_READ, key, buffer, (long) MAX_BYTES});
                    if (length < 0) {
                        throw new IllegalStateException("the keyring key " + description + " exists but may not be read by this process"
                                + " (keyctl setperm it to give its user read, 0x3f030000)");
                    }
                    return length == 0 || length > MAX_BYTES ? Optional.empty() : Optional.of(buffer.getByteArray(0, (int) length));
                } finally {
                    buffer.clear(); // the native copy, wiped before it is freed
                    if (locked) {
                        libc.getFunction("munlock").invokeInt(new Object[] {buffer, (long) MAX_BYTES});
                    }
                    buffer.close();
                }
            } catch (LinkageError e) {
                if (!unusableReported) {
                    unusableReported = true;
                    LOG.warn("The kernel keyring cannot be used from this JVM ({}); node secrets come from files", e.toString());
                }
                return Optional.empty();
            }
        }

        /** The keyctl syscall number of this machine, or null where it is not known. */
        private static Long keyctlSyscall() {
            if (!Platform.isLinux()) {
                return null;
            }
            return switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> 250L;
                case "aarch64" -> 219L;
                default -> null;
            };
        }
    }
}
