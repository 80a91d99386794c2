package io.plinth.impl.credentials;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

import io.plinth.api.credentials.Secrets;
import io.plinth.api.error.PlinthException;

/**
 * The confidential fields of one credential, as a module uses them: each call opens the field,
 * computes, and overwrites the plaintext (and the key material derived from it) with zeros.
 */
final class SealedSecrets implements Secrets, AutoCloseable {

    private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "Ed25519"};

    private final SealedStore store;
    private final SealedStore.Stored credential;
    /** A handle serves one check or one operation: a module that kept it cannot sign later. */
    private volatile boolean closed;

    SealedSecrets(SealedStore store, SealedStore.Stored credential) {
        this.store = store;
        this.credential = credential;
    }

    @Override
    public byte[] hmacSha256(String field, byte[] keyPrefix, byte[] data) {
        byte[] secret = open(field);
        byte[] key = new byte[keyPrefix.length + secret.length];
        try {
            System.arraycopy(keyPrefix, 0, key, 0, keyPrefix.length);
            System.arraycopy(secret, 0, key, keyPrefix.length, secret.length);
            return Inputs.hmacSha256(key, data);
        } finally {
            Arrays.fill(secret, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public byte[] sign(String field, String algorithm, byte[] data) {
        PrivateKey key = privateKey(field);
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initSign(key);
            signature.update(data);
            return signature.sign();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw PlinthException.invalid("no signature algorithm " + algorithm);
        } catch (GeneralSecurityException e) {
            throw PlinthException.invalid("the key in " + field + " cannot sign with " + algorithm + ": " + e.getMessage());
        }
    }

    /** The private key a field holds: PKCS #8, as PEM or base64 DER. */
    private PrivateKey privateKey(String field) {
        byte[] text = open(field);
        byte[] body = pemBody(text);
        byte[] der = null;
        try {
            der = Base64.getMimeDecoder().decode(body); // never a String: strings cannot be wiped
            PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
            for (String algorithm : KEY_ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(spec);
                } catch (GeneralSecurityException notThisKind) {
                    // the next kind
                }
            }
            throw PlinthException.invalid(field + " holds no PKCS #8 private key (EC, RSA or Ed25519)");
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid(field + " holds no PKCS #8 private key: not base64 or PEM");
        } finally {
            Arrays.fill(text, (byte) 0);
            Arrays.fill(body, (byte) 0);
            if (der != null) {
                Arrays.fill(der, (byte) 0);
            }
        }
    }

    /** The base64 between a PEM's header and footer lines (a copy), or all of it when it is no PEM. */
    private static byte[] pemBody(byte[] text) {
        int start = 0;
        int end = text.length;
        if (text.length > 0 && text[0] == '-') {
            while (start < text.length && text[start] != '\n') {
                start++;
            }
            end = start;
            while (end < text.length && text[end] != '-') {
                end++;
            }
        }
        return Arrays.copyOfRange(text, start, end);
    }

    @Override
    public void close() {
        closed = true;
    }

    private byte[] open(String field) {
        if (closed) {
            throw new IllegalStateException("this handle to credential " + credential.name() + " served its operation already");
        }
        String sealed = credential.sealed().get(field);
        if (sealed == null) {
            throw PlinthException.notFound("credential " + credential.name() + " has no secret field " + field);
        }
        return store.open(credential.name(), field, sealed);
    }
}
