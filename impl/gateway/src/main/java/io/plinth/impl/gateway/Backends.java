package io.plinth.impl.gateway;

import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.AbstractChannelPoolMap;
import io.netty.channel.pool.ChannelPoolMap;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * Pooled keep-alive connections to backend servers, one pool per address. Each connection hands
 * what it reads to the {@link Exchange} it currently serves.
 */
final class Backends implements AutoCloseable {

    /** The exchange a backend connection currently serves. */
    static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("plinth.exchange");

    private final ChannelPoolMap<InetSocketAddress, SimpleChannelPool> pools;
    private final AbstractChannelPoolMap<InetSocketAddress, SimpleChannelPool> poolMap;

    Backends(EventLoopGroup group, int connectTimeoutMillis) {
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true);
        poolMap = new AbstractChannelPoolMap<>() {
            @Override
            protected SimpleChannelPool newPool(InetSocketAddress address) {
                return new SimpleChannelPool(bootstrap.remoteAddress(address), new AbstractChannelPoolHandler() {
                    @Override
                    public void channelCreated(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new Relay());
                    }
                });
            }
        };
        pools = poolMap;
    }

    Future<Channel> acquire(InetSocketAddress address) {
        return pools.get(address).acquire();
    }

    /** Returns a connection for reuse, or closes it when the backend said it will not be reused. */
    void release(Channel channel, boolean reusable) {
        channel.attr(EXCHANGE).set(null);
        if (!reusable) {
            channel.close();
        }
        pools.get((InetSocketAddress) channel.remoteAddress()).release(channel);
    }

    @Override
    public void close() {
        poolMap.close();
    }

    /** Hands each response part to the exchange the connection serves. */
    private static final class Relay extends SimpleChannelInboundHandler<HttpObject> {

        Relay() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            Exchange exchange = ctx.channel().attr(EXCHANGE).get();
            if (exchange == null) {
                ReferenceCountUtil.release(message); // nobody asked: a stray answer on an idle connection
                ctx.close();
                return;
            }
            exchange.fromBackend(ctx.channel(), message);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange exchange = ctx.channel().attr(EXCHANGE).get();
            if (exchange != null) {
                exchange.backendFailed(ctx.channel(), new java.io.IOException("the backend closed the connection"));
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange exchange = ctx.channel().attr(EXCHANGE).get();
            if (exchange != null) {
                exchange.backendFailed(ctx.channel(), cause);
            }
            ctx.close();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Exchange exchange = ctx.channel().attr(EXCHANGE).get();
            if (exchange != null) {
                exchange.backendWritabilityChanged();
            }
            ctx.fireChannelWritabilityChanged();
        }
    }
}
