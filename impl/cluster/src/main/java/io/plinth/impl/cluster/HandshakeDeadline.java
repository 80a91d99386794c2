package io.plinth.impl.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.MulticastSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLSocket;

import io.plinth.support.Threads;

import org.jgroups.util.SocketFactory;

/**
 * The cluster's TLS sockets, with a deadline on the client side of the handshake. JGroups sends
 * everything, and opens connections, on one bundler thread; merge discovery keeps calling on nodes
 * that left the view, and a frozen one (SIGSTOP) accepts the connection in its kernel but never
 * answers the handshake. That thread hung for good, heartbeats stopped, and the others declared
 * this healthy node failed too. So a handshake with a node that has left the view and is not done
 * within the short deadline (counted from the socket's creation, connecting included; the node
 * may leave while it runs) has its socket closed, which ends the wait; any other gets a long one. Not shorter for all: on a busy
 * machine handshakes of nodes joining took over 1.5 s, and cutting them broke the joins. A
 * watchdog rather than a read timeout: a timeout would still be set when the connection's reader
 * starts.
 */
final class HandshakeDeadline implements SocketFactory, AutoCloseable {

    private static final long LONG_DEADLINE_MILLIS = 30_000;
    private static final long CHECK_MILLIS = 250;

    private final SocketFactory tls;
    private final long deadlineMillis;
    /** host:port of nodes that were in the view and left it. */
    private final Set<String> departed = ConcurrentHashMap.newKeySet();
    private volatile Set<String> inView = Set.of();
    /** host:port of nodes whose certificates were revoked. */
    private final Set<String> shutOut = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            Threads.named("plinth-cluster-handshakes"));

    HandshakeDeadline(SocketFactory tls, long deadlineMillis) {
        this.tls = tls;
        this.deadlineMillis = deadlineMillis;
    }

    /** A node whose certificate was revoked: its handshakes get the short deadline from now on, in the view or not. */
    void shutOut(String address) {
        shutOut.add(address);
    }

    /** The host:port addresses of the view's members now: those of members before that are missing have departed. */
    void viewIs(Set<String> addresses) {
        inView.stream().filter(address -> !addresses.contains(address)).forEach(departed::add);
        departed.removeAll(addresses);
        inView = Set.copyOf(addresses);
    }

    private Socket bounded(Socket socket) {
        if (socket instanceof SSLSocket ssl) {
            AtomicBoolean done = new AtomicBoolean();
            ssl.addHandshakeCompletedListener(event -> done.set(true));
            watch(ssl, done, System.nanoTime());
        }
        return socket;
    }

    /**
     * Looks at an unfinished handshake every so often: closes it once it has run the short
     * deadline and its peer has left the view (which may happen while it runs: the frozen node is
     * still in the view for the first seconds), or once it has run the long one.
     */
    private void watch(SSLSocket ssl, AtomicBoolean done, long started) {
        try {
            watchdog.schedule(() -> {
                if (done.get() || ssl.isClosed()) {
                    return;
                }
                long runMillis = (System.nanoTime() - started) / 1_000_000;
                String peer = peer(ssl);
                if (runMillis >= LONG_DEADLINE_MILLIS || runMillis >= deadlineMillis && (departed.contains(peer) || shutOut.contains(peer))) {
                    closeQuietly(ssl);
                } else {
                    watch(ssl, done, started);
                }
            }, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            closeQuietly(ssl);
        }
    }

    private static String peer(Socket socket) {
        return socket.getInetAddress() == null ? "" : socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    @Override
    public Socket createSocket(String service) throws IOException {
        return bounded(tls.createSocket(service));
    }

    @Override
    public Socket createSocket(String service, String host, int port) throws IOException {
        return bounded(tls.createSocket(service, host, port));
    }

    @Override
    public Socket createSocket(String service, InetAddress address, int port) throws IOException {
        return bounded(tls.createSocket(service, address, port));
    }

    @Override
    public Socket createSocket(String service, String host, int port, InetAddress localAddress, int localPort) throws IOException {
        return bounded(tls.createSocket(service, host, port, localAddress, localPort));
    }

    @Override
    public Socket createSocket(String service, InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return bounded(tls.createSocket(service, address, port, localAddress, localPort));
    }

    @Override
    public ServerSocket createServerSocket(String service) throws IOException {
        return tls.createServerSocket(service);
    }

    @Override
    public ServerSocket createServerSocket(String service, int port) throws IOException {
        return tls.createServerSocket(service, port);
    }

    @Override
    public ServerSocket createServerSocket(String service, int port, int backlog) throws IOException {
        return tls.createServerSocket(service, port, backlog);
    }

    @Override
    public ServerSocket createServerSocket(String service, int port, int backlog, InetAddress bindAddress) throws IOException {
        return tls.createServerSocket(service, port, backlog, bindAddress);
    }

    @Override
    public DatagramSocket createDatagramSocket(String service) throws SocketException {
        return tls.createDatagramSocket(service);
    }

    @Override
    public DatagramSocket createDatagramSocket(String service, SocketAddress bindAddress) throws SocketException {
        return tls.createDatagramSocket(service, bindAddress);
    }

    @Override
    public DatagramSocket createDatagramSocket(String service, int port) throws SocketException {
        return tls.createDatagramSocket(service, port);
    }

    @Override
    public DatagramSocket createDatagramSocket(String service, int port, InetAddress localAddress) throws SocketException {
        return tls.createDatagramSocket(service, port, localAddress);
    }

    @Override
    public MulticastSocket createMulticastSocket(String service) throws IOException {
        return tls.createMulticastSocket(service);
    }

    @Override
    public MulticastSocket createMulticastSocket(String service, int port) throws IOException {
        return tls.createMulticastSocket(service, port);
    }

    @Override
    public MulticastSocket createMulticastSocket(String service, SocketAddress bindAddress) throws IOException {
        return tls.createMulticastSocket(service, bindAddress);
    }

    @Override
    public void close(Socket socket) throws IOException {
        tls.close(socket);
    }

    @Override
    public void close(ServerSocket socket) throws IOException {
        tls.close(socket);
    }

    @Override
    public void close(DatagramSocket socket) {
        tls.close(socket);
    }
}
