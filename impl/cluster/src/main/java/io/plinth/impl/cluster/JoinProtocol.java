package io.plinth.impl.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The join exchange (seed 000 §4.9.6, initial handoff), JSON over HTTPS: the new node sends
 * {@code POST /join} with the token, a PKCS #10 request for its own key and its name and address;
 * the seed answers with the node's certificate and the CA's, or with an error in the shape of the
 * platform's REST errors. Members also send the CA's node their own requests there, each with a
 * {@link Proof} that they hold the key of a node certificate the CA issued: renewals of that
 * certificate ({@code POST /renew}; an expired one, too, for a day: re-attestation), certificates
 * for the agents they spawn ({@code POST /certify}) and revocations of those ({@code POST /revoke}).
 */
final class JoinProtocol {

    static final String PATH = "/join";
    static final String RENEW_PATH = "/renew";
    static final String CERTIFY_PATH = "/certify";
    static final String REVOKE_PATH = "/revoke";
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
     * Who sends a request to the CA's node: its current node certificate (PEM), the time, and the
     * signature (base64, SHA256withECDSA) of its node key over the request with this proof
     * unsigned ({@link NodeProof}).
     */
    record Proof(String certificate, long epochSecond, String signature) {
    }

    /** A request a member proves it sent. */
    interface Proven<T extends Proven<T>> {
        Proof proof();

        T withProof(Proof proof);
    }

    /** A renewal: a PKCS #10 request for the node's new key (which proves that key). */
    record Renewal(String csr, Proof proof) implements Proven<Renewal> {
        @Override
        public Renewal withProof(Proof newProof) {
            return new Renewal(csr, newProof);
        }
    }

    /** A member asks for a certificate for an agent it spawns (node: the member itself). */
    record Certify(String csr, String subsystem, String agentId, java.util.List<String> dnsNames, java.util.List<String> uris,
                   java.util.List<String> capabilities, Long validitySeconds, Proof proof) implements Proven<Certify> {
        @Override
        public Certify withProof(Proof newProof) {
            return new Certify(csr, subsystem, agentId, dnsNames, uris, capabilities, validitySeconds, newProof);
        }
    }

    /** A member revokes a certificate of one of its agents. */
    record Revoke(String serial, String reason, Proof proof) implements Proven<Revoke> {
        @Override
        public Revoke withProof(Proof newProof) {
            return new Revoke(serial, reason, newProof);
        }
    }

    /** A certificate the CA issued, with the CA's. */
    record Certified(String certificate, String ca) {
    }
}
