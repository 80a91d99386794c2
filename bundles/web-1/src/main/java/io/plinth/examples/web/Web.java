package io.plinth.examples.web;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.plinth.api.component.Component;
import io.plinth.api.component.ComponentContext;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;

import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

/**
 * An HTTP backend for the gateway, as a component: each instance serves HTTP on its own port and
 * publishes it in its {@value GatewayService#ADDRESS_ATTRIBUTE} attribute, so that a hub group of
 * instances can serve a route. It answers {@code web VERSION INSTANCE PATH}, so versions answer
 * differently. On {@code /ws} it speaks WebSocket: it greets with {@code web VERSION ready}, and
 * text messages come back as {@code web VERSION: TEXT}.
 *
 * <p>Configuration: {@code host} (default 127.0.0.1) and {@code port} (default 0, any free one) to
 * listen on; {@code fault} makes it misbehave: {@code error} answers 500, {@code slow} answers
 * after {@code slowMillis} (default 500), {@code crash} resets every connection and stops
 * listening at its first request, as a process that died would.
 */
@org.osgi.service.component.annotations.Component(configurationPid = "io.plinth.examples.web",
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Component.class)
public final class Web implements Component {

    /** How an instance misbehaves. */
    enum Fault { NONE, ERROR, SLOW, CRASH }

    private static final int MAX_REQUEST_BYTES = 1024 * 1024;

    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile ComponentContext context;
    private EventLoopGroup loop;
    private Channel server;
    private Fault fault;
    private long slowMillis;

    @Override
    public synchronized void start(ComponentContext componentContext) throws InterruptedException {
        context = componentContext;
        fault = Fault.valueOf(setting("fault", "none").toUpperCase(Locale.ROOT));
        slowMillis = Long.parseLong(setting("slowMillis", "500"));
        String host = setting("host", "127.0.0.1");
        loop = new NioEventLoopGroup(1, new DefaultThreadFactory("web-" + context.instanceId().substring(0, 8), true));
        server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new WebSocketServerProtocolHandler("/ws"), new WebSocketFrameAggregator(MAX_REQUEST_BYTES),
                                new WebSocketEcho(), new Answer());
                    }
                })
                .bind(new InetSocketAddress(host, Integer.parseInt(setting("port", "0")))).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        context.setAttribute(GatewayService.ADDRESS_ATTRIBUTE, host + ":" + port);
        context.logger().info("web {} serving HTTP on {}:{}{}", context.version(), host, port,
                fault == Fault.NONE ? "" : ", fault " + fault);
    }

    @Override
    public boolean stop(String reason) {
        close();
        return true;
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        return CompletableFuture.completedFuture(Reply.error("web answers HTTP, not hub calls"));
    }

    /** The instance ended, however it ended: nothing keeps listening. */
    @Deactivate
    synchronized void close() {
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            loop = null;
        }
    }

    private String setting(String name, String fallback) {
        return context.configuration().getOrDefault(name, fallback);
    }

    /** What a process crash looks like from outside: connections reset, nobody listening. */
    private void crash() {
        context.logger().warn("web {} crashing (configured fault)", context.version());
        server.close();
        for (Channel connection : connections) {
            connection.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        connections.close();
    }

    private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            switch (fault) {
                case CRASH -> crash();
                case ERROR -> respond(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "web " + context.version() + " fails\n");
                case SLOW -> {
                    boolean keepAlive = HttpUtil.isKeepAlive(request);
                    String body = body(request);
                    ctx.executor().schedule(() -> respond(ctx, keepAlive, HttpResponseStatus.OK, body), slowMillis, TimeUnit.MILLISECONDS);
                }
                default -> respond(ctx, request, HttpResponseStatus.OK, body(request));
            }
        }

        /** A request it cannot serve (its instance ended under it, say) is answered, not left waiting. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            FullHttpResponse unavailable = response(HttpResponseStatus.SERVICE_UNAVAILABLE, "web instance unavailable: " + cause.getMessage() + "\n");
            HttpUtil.setKeepAlive(unavailable, false); // the connection ends with it
            ctx.writeAndFlush(unavailable).addListener(written -> ctx.close());
        }

        private String body(FullHttpRequest request) {
            return "web " + context.version() + " " + context.instanceId() + " " + request.uri() + "\n";
        }

        private void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
            respond(ctx, HttpUtil.isKeepAlive(request), status, body);
        }

        private void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body) {
            FullHttpResponse response = response(status, body);
            response.headers().set("X-Plinth-Instance", context.instanceId());
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response).addListener(written -> {
                if (!keepAlive) {
                    ctx.close();
                }
            });
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    private final class WebSocketEcho extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        /** A greeting first: the server speaks before the client, as many WebSocket protocols do. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ctx.writeAndFlush(new TextWebSocketFrame("web " + context.version() + " ready"));
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ctx.writeAndFlush(new TextWebSocketFrame("web " + context.version() + ": " + frame.text()));
        }
    }
}
