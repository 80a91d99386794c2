package io.plinth.impl.gateway;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.plinth.support.FrameworkShared;

import org.osgi.framework.BundleContext;

/**
 * Listening sockets handed from a retiring revision of this bundle to its successor, so that a live
 * update refuses no connection: the socket stays bound and the kernel queues what arrives until the
 * successor accepts. They wait in the bundle's {@link FrameworkShared} map (JDK objects only).
 * A socket nobody takes within {@value #UNCLAIMED_SECONDS} s of the retiring revision's end (the
 * bundle was stopped, not updated) is closed; one the next revision does not want (its addresses
 * changed) at once.
 */
final class ListeningSockets {

    private static final long UNCLAIMED_SECONDS = 10;

    private final ConcurrentMap<String, Object> shared;

    ListeningSockets(BundleContext context) {
        shared = FrameworkShared.of(context);
    }

    /** The socket a predecessor left listening on {@code address} (host:port as configured), or null. */
    ServerSocketChannel take(String address) {
        return shared.remove(address) instanceof AtomicReference<?> handedOver && handedOver.get() instanceof ServerSocketChannel socket
                && socket.isOpen() ? socket : null;
    }

    /** Closes what a predecessor left and this revision did not take (its addresses changed): they must be free to bind. */
    void closeUntaken() {
        shared.keySet().forEach(address -> close(shared.remove(address)));
    }

    /**
     * Stops accepting on {@code listening} (a {@link Listening} channel), without closing its socket,
     * and leaves the socket for a successor.
     */
    void handOver(String address, Channel listening) {
        listening.deregister().syncUninterruptibly();
        // A holder of its own: only this handover's deadline may close it, not an earlier one's.
        shared.put(address, new AtomicReference<>(((Listening) listening).socket()));
    }

    /** Gives the successor {@value #UNCLAIMED_SECONDS} s from now (this revision has stopped) to take the sockets. */
    void closeUnclaimedLater() {
        shared.forEach((address, handedOver) -> CompletableFuture.delayedExecutor(UNCLAIMED_SECONDS, TimeUnit.SECONDS).execute(() -> {
            if (shared.remove(address, handedOver)) {
                close(handedOver);
            }
        }));
    }

    private static void close(Object handedOver) {
        if (handedOver instanceof AtomicReference<?> holder && holder.get() instanceof ServerSocketChannel socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing more to do
            }
        }
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
