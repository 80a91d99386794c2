package io.plinth.impl.cluster;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.support.HostPort;

/**
 * The new node's side of the join exchange, and a member's side of a renewal: it trusts the seed
 * only if the seed's certificate was issued by the CA whose fingerprint the token (or the
 * membership) carries, so a token sent to the wrong place reveals nothing (the TLS handshake fails
 * before the request, and its secret, is sent).
 */
final class JoinClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);

    private JoinClient() {
    }

    static JoinProtocol.Answer join(Tokens.Content token, JoinProtocol.Request request) {
        return post(token.seed(), token.ca(), JoinProtocol.PATH, request, JoinProtocol.Answer.class);
    }

    /** A member's request to the CA's node ({@code seed}: its join service, host:port), pinned to the cluster CA. */
    static <T> T post(String seed, String caFingerprint, String path, Object body, Class<T> answerType) {
        PinnedTrust trust = new PinnedTrust(caFingerprint, seedHost(seed));
        HttpResponse<String> response;
        try {
            SSLContext tls = SSLContext.getInstance("TLSv1.3");
            tls.init(null, new TrustManager[] {trust}, null);
            HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(CONNECT_TIMEOUT).build();
            response = client.send(HttpRequest.newBuilder(URI.create("https://" + seed + path))
                    .timeout(ANSWER_TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JoinProtocol.JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (SSLHandshakeException e) {
            String refusal = trust.refusal;
            throw new PlinthException(refusal != null ? Reason.DENIED : Reason.UNAVAILABLE,
                    refusal != null ? refusal : "no TLS connection to the seed " + seed + ": " + e.getMessage());
        } catch (ConnectException e) {
            throw new PlinthException(Reason.UNAVAILABLE, "cannot reach the seed " + seed + ": " + e);
        } catch (IOException | GeneralSecurityException e) {
            throw new PlinthException(Reason.UNAVAILABLE, "POST " + path + " at " + seed + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlinthException(Reason.UNAVAILABLE, "interrupted while talking to " + seed);
        }
        try {
            if (response.statusCode() == 200) {
                return JoinProtocol.JSON.readValue(response.body(), answerType);
            }
            JoinProtocol.ErrorBody error = JoinProtocol.JSON.readValue(response.body(), JoinProtocol.ErrorBody.class);
            Reason reason = switch (response.statusCode()) {
                case 400 -> Reason.INVALID;
                case 403 -> Reason.DENIED;
                default -> Reason.FAILED;
            };
            throw new PlinthException(reason, "the seed " + seed + " refused: " + error.message());
        } catch (IOException e) {
            throw new PlinthException(Reason.FAILED, "the seed " + seed + " answered " + response.statusCode() + " in a form not understood");
        }
    }

    private static String seedHost(String seed) {
        try {
            return HostPort.parse(seed).host();
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid("the join token names no seed address: " + e.getMessage());
        }
    }

    /**
     * Trusts a server chain only if it leads to the one CA certificate with the pinned fingerprint
     * and names the seed's address: another member cannot pose as the seed and collect the token.
     */
    private static final class PinnedTrust extends ChainTrust {
        private final String caFingerprint;
        private final String seedHost;
        /** Why the seed was not trusted, for the person joining. */
        volatile String refusal;

        PinnedTrust(String caFingerprint, String seedHost) {
            this.caFingerprint = caFingerprint;
            this.seedHost = seedHost;
        }

        /** Whether the certificate's subject alternative names include the seed's host (an IP or DNS name). */
        private boolean names(X509Certificate certificate) throws CertificateException {
            java.util.Collection<java.util.List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            for (java.util.List<?> name : names) {
                Object value = name.get(1);
                if (value instanceof String text && (text.equalsIgnoreCase(seedHost) || sameAddress(text, seedHost))) {
                    return true;
                }
            }
            return false;
        }

        private static boolean sameAddress(String a, String b) {
            try {
                return (a.contains(":") || a.matches("[0-9.]+")) && (b.contains(":") || b.matches("[0-9.]+"))
                        && java.net.InetAddress.getByName(a).equals(java.net.InetAddress.getByName(b)); // literals: no lookup
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            for (X509Certificate candidate : chain) {
                if (Authority.fingerprint(candidate).equals(caFingerprint)) {
                    try {
                        Authority.verify(chain[0], candidate);
                    } catch (GeneralSecurityException e) {
                        refusal = "the seed's certificate is not valid under the cluster CA: " + e.getMessage();
                        throw new CertificateException(refusal, e);
                    }
                    if (!"node".equals(Subjects.attribute(chain[0].getSubjectX500Principal(), org.bouncycastle.asn1.x500.style.BCStyle.O))) {
                        refusal = "the seed's certificate (" + chain[0].getSubjectX500Principal().getName() + ") is no node certificate";
                        throw new CertificateException(refusal);
                    }
                    if (!names(chain[0])) {
                        refusal = "the seed's certificate is for another node (" + chain[0].getSubjectX500Principal().getName()
                                + "), not for " + seedHost + "; refusing to send it the token";
                        throw new CertificateException(refusal);
                    }
                    return;
                }
            }
            refusal = "the seed's certificate (" + chain[0].getSubjectX500Principal().getName()
                    + ") is not from the cluster CA the token names; refusing to send it the token";
            throw new CertificateException(refusal);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a joining node serves nobody");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
