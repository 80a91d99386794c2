package io.plinth.impl.credentials;

import java.util.Base64;
import java.util.Map;
import java.util.Set;

import io.plinth.api.credentials.CredentialModule;
import io.plinth.api.credentials.Secrets;
import io.plinth.api.error.PlinthException;


/**
 * {@code signature}: a {@code privateKey} (PKCS #8: EC, RSA or Ed25519) and a shareable
 * {@code algorithm} (default {@code SHA256withECDSA}; {@code SHA256withRSA}, {@code Ed25519}, ...);
 * {@code sign} answers the signature of a message, base64 (ECDSA in DER, as the JCA makes it).
 */
public final class SignatureModule extends BuiltInModule {

    static final String PRIVATE_KEY = "privateKey";
    private static final Set<String> ALGORITHMS = Set.of("SHA256withECDSA", "SHA384withECDSA", "SHA256withECDSAinP1363Format",
            "SHA256withRSA", "SHA384withRSA", "SHA512withRSA", "Ed25519");

    public SignatureModule() {
        super("signature", "sign");
    }

    @Override
    public void check(Map<String, String> shareable, Set<String> secretFields, Secrets secrets) {
        requireSecretField(secretFields, PRIVATE_KEY);
        secrets.sign(PRIVATE_KEY, algorithm(shareable), new byte[] {0}); // the key and the algorithm go together
    }

    @Override
    public Map<String, String> run(String operation, Map<String, String> shareable, Secrets secrets, Map<String, String> inputs) {
        return Map.of("signatureBase64", Base64.getEncoder().encodeToString(secrets.sign(PRIVATE_KEY, algorithm(shareable),
                Inputs.message(inputs))));
    }

    private static String algorithm(Map<String, String> shareable) {
        String algorithm = shareable.getOrDefault("algorithm", "SHA256withECDSA");
        if (!ALGORITHMS.contains(algorithm)) {
            throw PlinthException.invalid("algorithm is one of " + ALGORITHMS + ", not " + algorithm);
        }
        return algorithm;
    }
}
