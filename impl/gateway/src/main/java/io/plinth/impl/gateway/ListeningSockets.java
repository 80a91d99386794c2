package io.plinth.impl.gateway;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.plinth.support.FrameworkShared;

import org.osgi.framework.BundleContext;

/**
 * Listening sockets handed from a retiring revision of this bundle to its successor, so that a live
 * update refuses no connection: the socket stays bound and the kernel queues what arrives until the
 * successor accepts. They wait in the bundle's {@link FrameworkShared} map (JDK objects only).
 * A socket nobody takes within {@value #UNCLAIMED_SECONDS} s (the bundle was stopped, not updated) is closed.
 */
final class ListeningSockets {

    private static final long UNCLAIMED_SECONDS = 10;

    private final ConcurrentMap<String, Object> shared;

    ListeningSockets(BundleContext context) {
        shared = FrameworkShared.of(context);
    }

    /** The socket a predecessor left listening on {@code address}, or null. */
    ServerSocketChannel take(String address) {
        return shared.remove(address) instanceof ServerSocketChannel socket && socket.isOpen() ? socket : null;
    }

    /**
     * Stops accepting on {@code listening} (a {@link Listening} channel), without closing its socket,
     * and leaves the socket for a successor.
     */
    void handOver(String address, Channel listening) {
        listening.deregister().syncUninterruptibly();
        ServerSocketChannel socket = ((Listening) listening).socket();
        shared.put(address, socket);
        CompletableFuture.delayedExecutor(UNCLAIMED_SECONDS, TimeUnit.SECONDS).execute(() -> {
            if (shared.remove(address, socket)) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing: nothing more to do
                }
            }
        });
    }

    /** A listening channel whose socket can be handed over; made on a new socket, or on one handed over. */
    static final class Listening extends NioServerSocketChannel {
        Listening() {
        }

        Listening(ServerSocketChannel handedOver) {
            super(handedOver);
        }

        ServerSocketChannel socket() {
            return javaChannel();
        }
    }
}
