package io.plinth.impl.cluster;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.BouncyCastleUtil;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.plinth.api.error.PlinthException;
import io.plinth.support.Threads;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA node's service for other nodes ({@link JoinProtocol}): new nodes redeem join tokens,
 * members renew their certificates and have their agents certified. HTTPS (TLS 1.3 only) with
 * this node's current certificate. Clients may have no certificate yet (or an expired one), so
 * none is asked for; the token, or a {@link NodeProof}, is their credential. One thread: these
 * requests are rare.
 */
final class JoinServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JoinServer.class);
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** A join takes a handshake and one small request: a connection gets this long, whatever it sends. */
    private static final int DEADLINE_SECONDS = 10;
    private static final int MAX_CONNECTIONS = 32;

    private final EventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory("plinth-cluster-join", true));
    private final Channel server;
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

    /** What a path takes (JSON of {@code type}) and who answers it. */
    record Route<Q>(Class<Q> type, Function<Q, ?> handler) {
        Object answer(String json) throws com.fasterxml.jackson.core.JsonProcessingException {
            return handler.apply(JoinProtocol.JSON.readValue(json, type));
        }
    }

    JoinServer(String host, int port, X509ExtendedKeyManager keys, Map<String, Route<?>> routes) throws SSLException, InterruptedException {
        // Netty keeps exceptions made when these classes are first used, stack traces included (why
        // Bouncy Castle's TLS is missing, HTTP decoding errors): let them record no class of this bundle.
        Threads.firstUseApart(BouncyCastleUtil::isBcTlsAvailable);
        Threads.firstUseApart(HttpServerCodec::new);
        SslContext tls = SslContextBuilder.forServer(keys).sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3").clientAuth(ClientAuth.NONE).build();
        try {
            server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            if (connections.incrementAndGet() > MAX_CONNECTIONS) {
                                connections.decrementAndGet();
                                channel.close(); // a flood, not joins
                                return;
                            }
                            channel.closeFuture().addListener(closed -> connections.decrementAndGet());
                            channel.eventLoop().schedule(() -> channel.close(), DEADLINE_SECONDS, TimeUnit.SECONDS);
                            channel.pipeline().addLast(tls.newHandler(channel.alloc()), new HttpServerCodec(),
                                    new HttpObjectAggregator(MAX_REQUEST_BYTES), new Handler(routes));
                        }
                    })
                    .bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        LOG.info("Taking join requests over HTTPS on {}:{}", host, ((InetSocketAddress) server.localAddress()).getPort());
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Map<String, Route<?>> routes;

        Handler(Map<String, Route<?>> routes) {
            super(FullHttpRequest.class); // a type given, not found by reflection: Netty caches what it finds per thread
            this.routes = routes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            Route<?> route = routes.get(request.uri());
            if (!request.method().equals(HttpMethod.POST) || route == null) {
                error(ctx, HttpResponseStatus.NOT_FOUND, "only POST to " + routes.keySet() + " is served here");
                return;
            }
            try {
                respond(ctx, HttpResponseStatus.OK, JoinProtocol.JSON.writeValueAsString(route.answer(request.content().toString(StandardCharsets.UTF_8))));
            } catch (PlinthException e) {
                error(ctx, HttpResponseStatus.valueOf(e.reason().httpStatus()), e.getMessage());
            } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException | NullPointerException e) {
                error(ctx, HttpResponseStatus.BAD_REQUEST, "not a request for " + request.uri() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("A request for {} failed", request.uri(), e);
                error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "the CA's node could not answer " + request.uri() + ": " + e);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("Join connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        private static void error(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
            try {
                respond(ctx, status, JoinProtocol.JSON.writeValueAsString(new JoinProtocol.ErrorBody(status.code(), status.reasonPhrase(), message)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String json) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
