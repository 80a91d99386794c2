package io.plinth.api.credentials;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A credential's confidential fields as a module gets them: usable, never readable. Each call
 * decrypts the field, computes, and overwrites the plaintext. NOT_FOUND for an unknown field,
 * INVALID when the field cannot serve (not a private key, say).
 */
@ProviderType
public interface Secrets {

    /** HMAC-SHA256 of {@code data} keyed with {@code keyPrefix} followed by the field's UTF-8 bytes (AWS keys are "AWS4" + secret). */
    byte[] hmacSha256(String field, byte[] keyPrefix, byte[] data);

    /**
     * Signs {@code data} with the private key the field holds (PKCS #8, PEM or base64 DER):
     * {@code algorithm} is a JCA signature name such as {@code SHA256withECDSA}, {@code Ed25519}
     * or {@code SHA256withRSA}.
     */
    byte[] sign(String field, String algorithm, byte[] data);
}
