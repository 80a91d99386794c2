package io.plinth.impl.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The join exchange (seed 000 §4.9.6, initial handoff), JSON over HTTPS: the new node sends
 * {@code POST /join} with the token, a PKCS #10 request for its own key and its name and address;
 * the seed answers with the node's certificate and the CA's, or with an error in the shape of the
 * platform's REST errors. The CA's node also renews node certificates there ({@code POST /renew}):
 * a member proves it holds the key of a node certificate the CA issued — expired, too, for a day
 * (re-attestation) — and gets a certificate for a new key.
 */
final class JoinProtocol {

    static final String PATH = "/join";
    static final String RENEW_PATH = "/renew";
    static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private JoinProtocol() {
    }

    record Request(String token, String csr, String node, String host) {
    }

    /** {@code seeds}: the cluster channels (host:port) the new node finds the cluster through. */
    record Answer(String cluster, String nodeId, String certificate, String ca, java.util.List<String> seeds) {
    }

    record ErrorBody(int status, String error, String message) {
    }

    /**
     * A renewal: the node's current {@code certificate} (PEM), a PKCS #10 request for its new key
     * (which proves that key), its address now, the time ({@code epochSecond}), and the old key's
     * {@code signature} (base64, SHA256withECDSA) over {@link #signed()}: proof it holds the key
     * the certificate is for.
     */
    record Renewal(String certificate, String csr, String host, long epochSecond, String signature) {
        byte[] signed() {
            return (csr + "\n" + host + "\n" + epochSecond).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    record Renewed(String certificate, String ca) {
    }
}
