package io.plinth.impl.credentials;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.plinth.support.JsonFile;
import io.plinth.support.NodeSecret;


/**
 * Credentials on disk, {@code data/plinth/credentials/} (mode 0700): {@code credentials.json} holds
 * each credential with its confidential fields sealed with AES-256-GCM (a fresh 96-bit nonce each;
 * the credential's name and the field's name as associated data, so a sealed value cannot be moved
 * to another place); the key comes from the kernel keyring when an operator put it there, else from
 * {@code store.key} (mode 0600): see {@link NodeSecret}.
 */
final class SealedStore {

    /** A credential as stored: {@code sealed} maps each confidential field to base64(nonce ‖ ciphertext ‖ tag). */
    record Stored(String name, String module, Map<String, String> shareable, Map<String, String> sealed, long createdMillis) {
        Stored {
            shareable = Map.copyOf(shareable);
            sealed = Map.copyOf(sealed);
        }
    }

    record Contents(List<Stored> credentials) {
        Contents {
            credentials = credentials == null ? List.of() : List.copyOf(credentials);
        }
    }

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
    private final JsonFile<Contents> file;
    private final SecretKey key;

    SealedStore() {
        Path directory = JsonFile.nodeStore("credentials", "").normalize();
        try {
            Files.createDirectories(directory);
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
            byte[] raw = NodeSecret.read("credentials-key", directory.resolve("store.key"), Files.exists(directory.resolve("credentials.json")));
            key = new SecretKeySpec(raw, "AES");
            Arrays.fill(raw, (byte) 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare " + directory, e);
        }
        file = new JsonFile<>(directory.resolve("credentials.json"), Contents.class);
    }

    List<Stored> read() {
        return file.read().map(Contents::credentials).orElse(List.of());
    }

    void write(List<Stored> credentials) {
        file.write(new Contents(credentials));
    }

    /** Seals a secret given as characters; the characters are overwritten with zeros. */
    String seal(String credential, String field, char[] secret) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
        byte[] plain = new byte[encoded.remaining()];
        encoded.get(plain);
        Arrays.fill(secret, '\0');
        Arrays.fill(encoded.array(), (byte) 0);
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(place(credential, field));
            byte[] sealed = cipher.doFinal(plain);
            byte[] stored = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, stored, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
            return Base64.getEncoder().encodeToString(stored);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** The plaintext of a sealed secret: the caller overwrites it with zeros once used. */
    byte[] open(String credential, String field, String sealed) {
        byte[] stored = Base64.getDecoder().decode(sealed);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
            cipher.updateAAD(place(credential, field));
            return cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the sealed secret " + field + " of credential " + credential
                    + " does not open (store.key replaced, or the file tampered with)", e);
        }
    }

    private static byte[] place(String credential, String field) {
        return (credential + "\0" + field).getBytes(StandardCharsets.UTF_8);
    }
}
