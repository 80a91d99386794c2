package io.plinth.impl.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Bytes both ways between a client and a backend connection that switched protocols (a WebSocket
 * upgrade): no HTTP handler is left on either, and each side is read only as fast as the other
 * can write. When one side closes, the other is closed once what it was sent is out; a tunnel
 * silent both ways for {@value #IDLE_SECONDS} s is closed.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {

    /** Like nginx's proxy timeouts, but long: WebSocket applications often ping only every few minutes. */
    static final int IDLE_SECONDS = 600;

    private final Channel peer;

    private Tunnel(Channel peer) {
        this.peer = peer;
    }

    /** Turns two HTTP connections, on the same event loop, into one tunnel. */
    static void join(Channel client, Channel backend) {
        List<ChannelHandler> clientHandlers = handlers(client.pipeline());
        List<ChannelHandler> backendHandlers = handlers(backend.pipeline());
        client.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS), new Tunnel(backend));
        backend.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS), new Tunnel(client));
        // Encoders go first, on both sides: what a decoder still holds must reach the other side raw.
        removeEncoders(clientHandlers);
        removeEncoders(backendHandlers);
        removeAll(client.pipeline(), clientHandlers);
        removeAll(backend.pipeline(), backendHandlers);
        client.config().setAutoRead(true);
        backend.config().setAutoRead(true);
    }

    private static List<ChannelHandler> handlers(ChannelPipeline pipeline) {
        List<ChannelHandler> handlers = new ArrayList<>();
        pipeline.forEach(entry -> handlers.add(entry.getValue()));
        return handlers;
    }

    private static void removeEncoders(List<ChannelHandler> handlers) {
        for (ChannelHandler handler : handlers) {
            if (handler instanceof CombinedChannelDuplexHandler<?, ?> codec) {
                codec.removeOutboundHandler();
            }
        }
    }

    /** Last first: a decoder that goes passes what it holds on as bytes, and only the tunnel is there to take them. */
    private static void removeAll(ChannelPipeline pipeline, List<ChannelHandler> handlers) {
        for (int i = handlers.size() - 1; i >= 0; i--) {
            pipeline.remove(handlers.get(i));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (!(message instanceof ByteBuf)) {
            ReferenceCountUtil.release(message); // the end of the switching answer, already passed on
            return;
        }
        peer.write(message);
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        peer.config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Nothing either way for {@value #IDLE_SECONDS} s: a peer that vanished without closing. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
