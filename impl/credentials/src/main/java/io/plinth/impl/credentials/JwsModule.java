package io.plinth.impl.credentials;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.plinth.api.credentials.CredentialModule;
import io.plinth.api.credentials.Secrets;
import io.plinth.api.error.PlinthException;


/**
 * {@code jws}: JSON Web Signatures (RFC 7515) and so JWTs (RFC 7519) in compact form. The shareable
 * {@code alg} is {@code HS256} (secret field {@code key}, its UTF-8 bytes), {@code ES256} or
 * {@code EdDSA} (secret field {@code privateKey}: PKCS #8 P-256 or Ed25519); an optional shareable
 * {@code kid} goes into the header. {@code sign} takes a JSON object {@code payload} (and an
 * optional {@code typ}, default {@code JWT}) and answers {@code jws}.
 */
public final class JwsModule extends BuiltInModule {

    /** The algorithms, each with the secret field it signs with. */
    private enum Algorithm {
        HS256(HmacModule.KEY, 32) {
            @Override
            byte[] sign(Secrets secrets, byte[] input) {
                return secrets.hmacSha256(HmacModule.KEY, new byte[0], input);
            }
        },
        ES256(SignatureModule.PRIVATE_KEY, 64) {
            @Override
            byte[] sign(Secrets secrets, byte[] input) { // R ‖ S as RFC 7518 §3.4 wants, not DER
                return secrets.sign(SignatureModule.PRIVATE_KEY, "SHA256withECDSAinP1363Format", input);
            }
        },
        EdDSA(SignatureModule.PRIVATE_KEY, 64) {
            @Override
            byte[] sign(Secrets secrets, byte[] input) {
                return secrets.sign(SignatureModule.PRIVATE_KEY, "Ed25519", input);
            }
        };

        final String secretField;
        /** The signature's length: a key of another curve would sign, but not as this algorithm. */
        final int signatureBytes;

        Algorithm(String secretField, int signatureBytes) {
            this.secretField = secretField;
            this.signatureBytes = signatureBytes;
        }

        abstract byte[] sign(Secrets secrets, byte[] input);

        static Algorithm of(String alg) {
            for (Algorithm algorithm : values()) {
                if (algorithm.name().equals(alg)) {
                    return algorithm;
                }
            }
            throw PlinthException.invalid("alg is HS256, ES256 or EdDSA, not " + alg);
        }
    }

    /** Payloads parsed strictly: one JSON object, no duplicate claim, numbers kept exactly. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    public JwsModule() {
        super("jws", "sign");
    }

    @Override
    public void check(Map<String, String> shareable, Set<String> secretFields, Secrets secrets) {
        Algorithm algorithm = Algorithm.of(Inputs.required(shareable, "alg", "a jws credential"));
        requireSecretField(secretFields, algorithm.secretField);
        if (algorithm.sign(secrets, new byte[] {0}).length != algorithm.signatureBytes) {
            throw PlinthException.invalid("the key does not make " + algorithm + " signatures (another curve?)");
        }
    }

    @Override
    public Map<String, String> run(String operation, Map<String, String> shareable, Secrets secrets, Map<String, String> inputs) {
        Algorithm algorithm = Algorithm.of(shareable.get("alg"));
        JsonNode claims;
        try {
            claims = JSON.readTree(Inputs.required(inputs, "payload", "signing a JWS"));
        } catch (JsonProcessingException e) {
            throw PlinthException.invalid("the payload is not one JSON object: " + e.getOriginalMessage());
        }
        if (!claims.isObject()) {
            throw PlinthException.invalid("the payload is a JSON object (the claims), not " + claims.getNodeType());
        }
        Map<String, String> header = new LinkedHashMap<>();
        header.put("alg", algorithm.name());
        header.put("typ", inputs.getOrDefault("typ", "JWT"));
        if (shareable.containsKey("kid")) {
            header.put("kid", shareable.get("kid"));
        }
        try {
            String signingInput = BASE64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + BASE64URL.encodeToString(JSON.writeValueAsBytes(claims));
            byte[] signature = algorithm.sign(secrets, signingInput.getBytes(StandardCharsets.US_ASCII));
            return Map.of("jws", signingInput + "." + BASE64URL.encodeToString(signature));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
