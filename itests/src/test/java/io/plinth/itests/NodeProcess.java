package io.plinth.itests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Plinth node run as its own OS process from the built distribution, the way an admin runs
 * one: unpacked into a directory of its own, ports moved so several can share a machine.
 */
final class NodeProcess implements AutoCloseable {

    private final Path home;
    private final int httpPort;
    /**
     * One client per node: a client per call kept its idle connections (and their ephemeral
     * ports) open for 20 min, until one of them sat on a port a node had to listen on.
     */
    private final Http http;
    private Process process;
    /** The admin secret the node showed on its console at first boot (console.log is rewritten at each start). */
    private volatile String adminSecret;

    /**
     * Unpacks the distribution afresh into {@code directory} and moves every listening port by
     * {@code portOffset}. Test classes run one after another and use offsets 11000 to 23000: every
     * port stays below 32768, where the kernel never picks ephemeral ports for connections.
     */
    NodeProcess(Path directory, int portOffset) throws IOException, InterruptedException {
        this.home = directory.toAbsolutePath();
        run(List.of("rm", "-rf", home.toString()));
        Files.createDirectories(home);
        run(List.of("tar", "xzf", System.getProperty("plinth.distribution"), "-C", home.toString(), "--strip-components=1"));
        this.httpPort = 8181 + portOffset;
        this.http = new Http(httpsPort(), home.resolve("data"), this::adminLogin);
        setProperty("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(httpPort));
        setProperty("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port.secure", String.valueOf(httpsPort()));
        setProperty("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(8101 + portOffset));
        setProperty("etc/io.plinth.gateway.cfg", "port", String.valueOf(8080 + portOffset));
        setProperty("etc/io.plinth.gateway.cfg", "adminPort", String.valueOf(9090 + portOffset));
        setProperty("etc/io.plinth.cluster.cfg", "joinPort", String.valueOf(7900 + portOffset));
        setProperty("etc/io.plinth.cluster.cfg", "clusterPort", String.valueOf(7800 + portOffset));
        setProperty("etc/io.plinth.discovery.cfg", "port", String.valueOf(8053 + portOffset));
        setProperty("etc/system.properties", "karaf.name", home.getFileName().toString()); // the node's name everywhere
        setProperty("etc/io.plinth.cluster.cfg", "advertisedHost", "127.0.0.1");
    }

    /** The node's name (its directory's). */
    String name() {
        return home.getFileName().toString();
    }

    /** The node's directory. */
    Path home() {
        return home;
    }

    /** The plain HTTP port of the REST API and the web console (closed unless enabled). */
    int httpPort() {
        return httpPort;
    }

    /** The HTTPS port of the REST API and the web console. */
    int httpsPort() {
        return httpPort - 8181 + 8443;
    }

    /**
     * {@code admin:SECRET} with the secret the node showed once on its console at first boot, or
     * null while it has not shown it yet.
     */
    String adminLogin() {
        if (adminSecret == null) {
            try {
                Matcher shown = Pattern.compile("secret: (\\S+)").matcher(Files.readString(home.resolve("console.log")));
                adminSecret = shown.find() ? shown.group(1) : null;
            } catch (IOException notYet) {
                return null;
            }
        }
        return adminSecret == null ? null : "admin:" + adminSecret;
    }

    /** A REST client presenting a client certificate instead of the admin's password. */
    Http http(javax.net.ssl.KeyManager[] clientKeys) {
        return new Http(httpsPort(), home.resolve("data"), clientKeys);
    }

    /** The port of the discovery DNS server (UDP and TCP). */
    int dnsPort() {
        return httpPort - 8181 + 8053;
    }

    /** The port of the cluster channel. */
    int clusterPort() {
        return httpPort - 8181 + 7800;
    }

    /** The port of the cluster's join service (on a node holding the CA). */
    int joinPort() {
        return httpPort - 8181 + 7900;
    }

    Http http() {
        return http;
    }

    /** The gateway's proxy port. */
    int gatewayPort() {
        return httpPort - 8181 + 8080;
    }

    /** The gateway's /configuration/cluster API port. */
    int gatewayAdminPort() {
        return httpPort - 8181 + 9090;
    }

    /** Changes one setting of the node's etc/ before it starts. */
    void configure(String file, String key, String value) throws IOException {
        setProperty("etc/" + file, key, value);
    }

    /** Starts the node in the background ({@code bin/karaf server}); answers at once. */
    void start() throws IOException {
        process = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.log").toFile())
                .start();
    }

    /**
     * The node's JVM (bin/karaf runs it as a child of its shell). Never the shell instead: a signal
     * meant for the JVM would miss it. /proc can be read mid-change, so it looks a few times.
     */
    private ProcessHandle jvm() throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            java.util.Optional<ProcessHandle> java = process.descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false)).findFirst();
            if (java.isPresent()) {
                return java.get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no JVM runs under " + home);
    }

    /** The process id of the node's JVM. */
    long pid() throws InterruptedException {
        return jvm().pid();
    }

    /** The node JVM's resident memory in kB, from /proc. */
    long residentKilobytes() throws IOException, InterruptedException {
        Path status = Path.of("/proc", String.valueOf(jvm().pid()), "status");
        Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(Files.readString(status));
        return rss.find() ? Long.parseLong(rss.group(1)) : -1;
    }

    /**
     * Stops the node the polite way — SIGTERM to its JVM runs Karaf's shutdown; the bin/karaf
     * shell would not pass it on — and waits until every process of it has exited.
     */
    void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : all) {
            try {
                handle.onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        process = null;
    }

    /** Kills the node the hard way (SIGKILL to its JVM and its shell): no shutdown, sockets reset. */
    void kill() throws InterruptedException {
        ProcessHandle jvm = jvm();
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        jvm.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : all) {
            handle.onExit().join();
        }
        process = null;
    }

    /** Freezes (SIGSTOP) or thaws (SIGCONT) the node's JVM: a node that stalls without dying. */
    void signal(String signal) throws IOException, InterruptedException {
        run(List.of("kill", "-" + signal, String.valueOf(jvm().pid())));
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void setProperty(String file, String key, String value) throws IOException {
        Path path = home.resolve(file);
        String text = Files.exists(path) ? Files.readString(path) : "";
        String line = key + " = " + value;
        Matcher existing = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + "\\s*=.*$").matcher(text);
        text = existing.find() ? existing.replaceAll(Matcher.quoteReplacement(line)) : text + "\n" + line + "\n";
        Files.writeString(path, text);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream out = p.getInputStream()) {
            String printed = new String(out.readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(command + " failed: " + printed);
            }
        }
    }

    /** Waits until the node's REST API answers. */
    void awaitUp(Duration patience) throws InterruptedException {
        http().awaitUp(patience);
    }

    /** Waits until the gateway's admin API answers: its feature may come up after the REST API. */
    void awaitGateway(Duration patience) throws IOException, InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI admin = java.net.URI.create("http://127.0.0.1:" + gatewayAdminPort() + "/configuration/cluster");
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                http.send(java.net.http.HttpRequest.newBuilder(admin).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
