package io.plinth.impl.gateway;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.AbstractChannelPoolMap;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * Pooled keep-alive connections to backend servers: one pool per address and per event loop, so
 * a backend connection lives on the same thread as the client connection it serves and no event
 * crosses threads. Each connection hands what it reads to the {@link BackendUser} it serves.
 */
final class Backends implements AutoCloseable {

    /** What a backend connection currently serves. */
    static final AttributeKey<BackendUser> USER = AttributeKey.valueOf("plinth.backend.user");

    private final int connectTimeoutMillis;
    private final Map<EventLoop, AbstractChannelPoolMap<InetSocketAddress, SimpleChannelPool>> pools = new ConcurrentHashMap<>();

    Backends(int connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** A connection to {@code address} on {@code loop}, from the pool or new. */
    Future<Channel> acquire(EventLoop loop, InetSocketAddress address) {
        return pools.computeIfAbsent(loop, this::poolsOn).get(address).acquire();
    }

    /** Returns a connection for reuse, or closes it when it must not be reused. */
    void release(Channel channel, boolean reusable) {
        channel.attr(USER).set(null);
        if (!reusable) {
            channel.close();
        }
        pools.get(channel.eventLoop()).get((InetSocketAddress) channel.remoteAddress()).release(channel);
    }

    @Override
    public void close() {
        pools.values().forEach(AbstractChannelPoolMap::close);
    }

    private AbstractChannelPoolMap<InetSocketAddress, SimpleChannelPool> poolsOn(EventLoop loop) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true);
        return new AbstractChannelPoolMap<>() {
            @Override
            protected SimpleChannelPool newPool(InetSocketAddress address) {
                return new SimpleChannelPool(bootstrap.clone().remoteAddress(address), new AbstractChannelPoolHandler() {
                    @Override
                    public void channelCreated(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new Relay());
                    }
                });
            }
        };
    }

    /** Hands each response part to whatever the connection serves. */
    private static final class Relay extends SimpleChannelInboundHandler<HttpObject> {

        Relay() {
            super(HttpObject.class, false); // a type given, not found by reflection: Netty caches what it finds per thread
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            BackendUser exchange = ctx.channel().attr(USER).get();
            if (exchange == null) {
                ReferenceCountUtil.release(message); // nobody asked: a stray answer on an idle connection
                ctx.close();
                return;
            }
            exchange.fromBackend(ctx.channel(), message);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            BackendUser exchange = ctx.channel().attr(USER).get();
            if (exchange != null) {
                exchange.backendFailed(ctx.channel(), new java.io.IOException("the backend closed the connection"));
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            BackendUser exchange = ctx.channel().attr(USER).get();
            if (exchange != null) {
                exchange.backendFailed(ctx.channel(), cause);
            }
            ctx.close();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            BackendUser exchange = ctx.channel().attr(USER).get();
            if (exchange != null) {
                exchange.backendWritabilityChanged();
            }
            ctx.fireChannelWritabilityChanged();
        }
    }
}
