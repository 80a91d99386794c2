package io.plinth.impl.credentials;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.plinth.api.credentials.CredentialModule;
import io.plinth.api.credentials.Secrets;
import io.plinth.api.error.PlinthException;

import org.osgi.service.component.annotations.Component;

/**
 * {@code jws}: JSON Web Signatures (RFC 7515) and so JWTs (RFC 7519) in compact form. The shareable
 * {@code alg} is {@code HS256} (secret field {@code key}, its UTF-8 bytes), {@code ES256} or
 * {@code EdDSA} (secret field {@code privateKey}: PKCS #8 P-256 or Ed25519); an optional shareable
 * {@code kid} goes into the header. {@code sign} takes a JSON {@code payload} (and an optional
 * {@code typ}, default {@code JWT}) and answers {@code jws}.
 */
@Component(service = CredentialModule.class)
public final class JwsModule extends BuiltInModule {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    public JwsModule() {
        super("jws", "sign");
    }

    @Override
    public void check(Map<String, String> shareable, Set<String> secretFields, Secrets secrets) {
        String alg = Inputs.required(shareable, "alg", "a jws credential");
        requireSecretField(secretFields, secretField(alg));
        signature(alg, secrets, new byte[] {0}); // the key suits the algorithm
    }

    @Override
    public Map<String, String> run(String operation, Map<String, String> shareable, Secrets secrets, Map<String, String> inputs) {
        String alg = shareable.get("alg");
        String payload = Inputs.required(inputs, "payload", "signing a JWS");
        JsonNode claims;
        try {
            claims = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw PlinthException.invalid("the payload is not JSON: " + e.getOriginalMessage());
        }
        Map<String, String> header = new LinkedHashMap<>();
        header.put("alg", alg);
        header.put("typ", inputs.getOrDefault("typ", "JWT"));
        if (shareable.containsKey("kid")) {
            header.put("kid", shareable.get("kid"));
        }
        try {
            String signingInput = BASE64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + BASE64URL.encodeToString(JSON.writeValueAsBytes(claims));
            byte[] signature = signature(alg, secrets, signingInput.getBytes(StandardCharsets.US_ASCII));
            return Map.of("jws", signingInput + "." + BASE64URL.encodeToString(signature));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String secretField(String alg) {
        return switch (alg) {
            case "HS256" -> HmacModule.KEY;
            case "ES256", "EdDSA" -> SignatureModule.PRIVATE_KEY;
            default -> throw PlinthException.invalid("alg is HS256, ES256 or EdDSA, not " + alg);
        };
    }

    private static byte[] signature(String alg, Secrets secrets, byte[] signingInput) {
        return switch (alg) {
            case "HS256" -> secrets.hmacSha256(HmacModule.KEY, new byte[0], signingInput);
            // R ‖ S as RFC 7518 §3.4 wants, not the DER of plain SHA256withECDSA
            case "ES256" -> secrets.sign(SignatureModule.PRIVATE_KEY, "SHA256withECDSAinP1363Format", signingInput);
            case "EdDSA" -> secrets.sign(SignatureModule.PRIVATE_KEY, "Ed25519", signingInput);
            default -> throw PlinthException.invalid("alg is HS256, ES256 or EdDSA, not " + alg);
        };
    }
}
