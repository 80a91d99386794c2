package io.plinth.impl.credentials;

import java.util.Base64;
import java.util.Map;
import java.util.Set;

import io.plinth.api.credentials.CredentialModule;
import io.plinth.api.credentials.Secrets;


/** {@code hmac-sha256}: a shared secret {@code key}; {@code sign} answers the HMAC-SHA256 of a message (hex and base64). */
public final class HmacModule extends BuiltInModule {

    static final String KEY = "key";

    public HmacModule() {
        super("hmac-sha256", "sign");
    }

    @Override
    public void check(Map<String, String> shareable, Set<String> secretFields, Secrets secrets) {
        requireSecretField(secretFields, KEY);
    }

    @Override
    public Map<String, String> run(String operation, Map<String, String> shareable, Secrets secrets, Map<String, String> inputs) {
        byte[] mac = secrets.hmacSha256(KEY, new byte[0], Inputs.message(inputs));
        return Map.of("signature", Inputs.hex(mac), "signatureBase64", Base64.getEncoder().encodeToString(mac));
    }
}
