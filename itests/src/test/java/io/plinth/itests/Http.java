package io.plinth.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small JSON client of a node's REST API over HTTPS on loopback. It trusts what the node says
 * its clients should trust ({@code data/plinth/cluster/management-ca.pem}, read at each handshake:
 * it changes when the node joins a cluster) and authenticates with an admin's user name and
 * password, or with a client certificate.
 */
final class Http {

    /** A response: its status and body. */
    record Answer(int status, String body) {

        /** The body as JSON: null when empty; an error when it is not JSON (a servlet container's page). */
        JsonNode json() {
            try {
                return body == null || body.isBlank() ? null : JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + body, e);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final Path trustAnchor;
    private final KeyManager[] clientKeys;
    /** {@code user:password}, or null with a client certificate. */
    private final Supplier<String> login;
    private final HttpClient client;

    /** An admin's client: {@code login} gives {@code user:password} when first needed. */
    Http(int port, Path nodeData, Supplier<String> login) {
        this(port, nodeData, null, login);
    }

    /** An agent's client, with its client certificate's key manager and no password. */
    Http(int port, Path nodeData, KeyManager[] clientKeys) {
        this(port, nodeData, clientKeys, null);
    }

    private Http(int port, Path nodeData, KeyManager[] clientKeys, Supplier<String> login) {
        this.base = "https://127.0.0.1:" + port + "/plinth/api/v1";
        this.trustAnchor = nodeData.resolve("plinth/cluster/management-ca.pem");
        this.clientKeys = clientKeys;
        this.login = login;
        this.client = newClient();
    }

    /** A client that trusts the node as this one does, but sends no credentials of its own. */
    HttpClient clientWithoutLogin() {
        return newClient();
    }

    /** The API's base URL. */
    String base() {
        return base;
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** The body of a GET that answers something else than JSON (a CRL, a PEM); IOException unless 200. */
    byte[] getBytes(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(authorized(HttpRequest.newBuilder(URI.create(base + path))).GET()
                        .timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": " + response.statusCode());
        }
        return response.body();
    }

    Answer post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A POST without body or content type, as curl -X POST sends it. */
    Answer postNothing(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(authorized(HttpRequest.newBuilder(URI.create(base + path)))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        return answer(response);
    }

    Answer put(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return answer(client.send(authorized(request).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static Answer answer(HttpResponse<String> response) {
        return new Answer(response.statusCode(), response.body());
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        String credentials = login == null ? null : login.get();
        return credentials == null ? request
                : request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The status of a GET sent on a connection of its own, closed after the answer: each one is a
     * new TLS handshake with the node.
     */
    int statusOnNewConnection(String path) throws IOException {
        javax.net.ssl.HttpsURLConnection connection = (javax.net.ssl.HttpsURLConnection) URI.create(base + path).toURL().openConnection();
        connection.setSSLSocketFactory(tls().getSocketFactory());
        connection.setRequestProperty("Connection", "close");
        String credentials = login == null ? null : login.get();
        if (credentials != null) {
            connection.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(60_000);
        try {
            int status = connection.getResponseCode();
            (status < 400 ? connection.getInputStream() : connection.getErrorStream()).readAllBytes();
            return status;
        } finally {
            connection.disconnect();
        }
    }

    private HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).sslContext(tls()).build();
    }

    private SSLContext tls() {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(clientKeys, new TrustManager[] {new NodeTrust(trustAnchor)}, null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PKIX with the node's published trust anchor, read at each handshake; host names checked as HTTPS does. */
    private static final class NodeTrust extends X509ExtendedTrustManager {
        private final Path anchor;

        NodeTrust(Path anchor) {
            this.anchor = anchor;
        }

        private X509ExtendedTrustManager pkix() throws CertificateException {
            try (InputStream pem = Files.newInputStream(anchor)) {
                KeyStore anchors = KeyStore.getInstance("PKCS12");
                anchors.load(null, null);
                anchors.setCertificateEntry("node", CertificateFactory.getInstance("X.509").generateCertificate(pem));
                TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
                factory.init(anchors);
                return (X509ExtendedTrustManager) factory.getTrustManagers()[0];
            } catch (IOException | GeneralSecurityException e) {
                throw new CertificateException("cannot read the node's trust anchor " + anchor, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix().checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a client trusts servers only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a client trusts servers only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client trusts servers only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /**
     * Waits until the API answers (it comes up a moment after the node's services). Each probe on
     * a client of its own with a short timeout: a request that a starting server accepts and never
     * answers must not hold up the waiting, nor leave the shared client a dead connection.
     */
    void awaitUp(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> probe = newClient().send(authorized(HttpRequest.newBuilder(URI.create(base + "/types")))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
                if (probe.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet, or not answering yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the REST API did not come up within " + patience);
    }
}
