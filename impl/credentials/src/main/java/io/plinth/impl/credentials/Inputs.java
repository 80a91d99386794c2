package io.plinth.impl.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.plinth.api.error.PlinthException;

/** What the built-in modules share: reading their inputs, and the digests they compute. */
final class Inputs {

    private Inputs() {
    }

    /** A value that must be there; INVALID when it is not. */
    static String required(Map<String, String> values, String name, String what) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            throw PlinthException.invalid(what + " needs '" + name + "'");
        }
        return value;
    }

    /** The bytes to sign: {@code message} (text, UTF-8) or {@code messageBase64}. */
    static byte[] message(Map<String, String> inputs) {
        String base64 = inputs.get("messageBase64");
        if (base64 != null) {
            try {
                return Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw PlinthException.invalid("messageBase64 is not base64: " + e.getMessage());
            }
        }
        String text = inputs.get("message");
        if (text == null) {
            throw PlinthException.invalid("give the bytes to sign as 'message' (text) or 'messageBase64'");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** HMAC-SHA256; the JCA copies the key (a copy no one can wipe: its lifetime is one call). */
    static byte[] hmacSha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
