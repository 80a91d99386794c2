package io.plinth.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A test backend on loopback, in one of the behaviours the gateway must cope with. Every answer
 * names the backend ({@code X-Backend}) and echoes the forwarding headers it got.
 */
final class Backend implements AutoCloseable {

    enum Behaviour {
        /** 200 with its name as the body; {@code POST} answers the SHA-256 of the body it received. */
        NORMAL,
        /** 500 for everything. */
        FAILING,
        /** Answers after 3 seconds. */
        SLOW,
        /** Answers after 300 ms: slow, but well within any timeout. */
        LAGGING,
        /** 200 with a body that differs every time (a fresh UUID), like a page with a timestamp. */
        NOISY
    }

    static {
        // The JDK server writes headers and body separately; with Nagle on, every answer would
        // wait for the client's delayed ACK (40 ms) and measure nothing but that.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final String name;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private volatile Behaviour behaviour;
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    Backend(String name, Behaviour behaviour) throws IOException {
        this.name = name;
        this.behaviour = behaviour;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void behave(Behaviour next) {
        behaviour = next;
    }

    /** The JSON of this backend as a server of a cluster. */
    String asServer() {
        return "{\"ip\": \"127.0.0.1\", \"port\": " + port() + "}";
    }

    /** How many requests reached this backend. */
    int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            byte[] body;
            int status = 200;
            switch (behaviour) {
                case FAILING:
                    status = 500;
                    body = ("failing " + name).getBytes(StandardCharsets.UTF_8);
                    break;
                case LAGGING:
                    sleep(300);
                    body = name.getBytes(StandardCharsets.UTF_8);
                    break;
                case NOISY:
                    body = java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
                    break;
                case SLOW:
                    sleep(3000);
                    body = name.getBytes(StandardCharsets.UTF_8);
                    break;
                default:
                    body = "POST".equals(exchange.getRequestMethod()) ? digest(exchange.getRequestBody()).getBytes(StandardCharsets.UTF_8)
                            : name.getBytes(StandardCharsets.UTF_8);
            }
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("X-Backend", name);
            String forwardedFor = exchange.getRequestHeaders().getFirst("X-Forwarded-For");
            exchange.getResponseHeaders().set("X-Seen-Forwarded-For", forwardedFor == null ? "" : forwardedFor);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static String digest(InputStream in) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                sha.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
