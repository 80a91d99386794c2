package io.plinth.impl.gateway;

import java.util.ArrayDeque;
import java.util.Deque;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * One client connection. Reads only when it can use what it reads (auto-read is off): the next
 * request when idle, more of a request body when the backend can take it. Requests are served
 * one at a time, in order; each is an {@link Exchange}.
 */
final class Frontend extends ChannelInboundHandlerAdapter {

    private final Gateway gateway;
    /** Decoded but not yet used parts of requests, in arrival order. */
    private final Deque<HttpObject> inbound = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange exchange;

    Frontend(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        ctx = context;
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (!(message instanceof HttpObject)) {
            ReferenceCountUtil.release(message);
            return;
        }
        inbound.add((HttpObject) message);
        pump();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (exchange == null && inbound.isEmpty() || exchange != null && exchange.wantsBody() && inbound.isEmpty()) {
            ctx.read();
        }
    }

    /** Moves what was read on: starts the next exchange, or feeds the current one its body. */
    void pump() {
        while (!inbound.isEmpty()) {
            if (exchange == null) {
                HttpObject next = inbound.poll();
                if (next instanceof HttpRequest request) {
                    exchange = new Exchange(gateway, this, ctx, request);
                    exchange.start();
                } else {
                    ReferenceCountUtil.release(next); // body of a request already answered (e.g. refused)
                }
            } else if (exchange.wantsBody() && inbound.peek() instanceof HttpContent) {
                if (!exchange.bodyTo((HttpContent) inbound.poll())) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    /** Whether no request is under way or waiting on this connection. */
    boolean idle() {
        return exchange == null && inbound.isEmpty();
    }

    /** Called by the exchange when the backend can take more of the body. */
    void moreBody() {
        pump();
        if (inbound.isEmpty() && exchange != null && exchange.wantsBody()) {
            ctx.read();
        }
    }

    /** Called by the exchange once its response has been written completely. */
    void done(Exchange finished, boolean keepAlive) {
        if (exchange != finished) {
            return;
        }
        exchange = null;
        if (!keepAlive || gateway.retiring()) {
            ctx.close();
            return;
        }
        pump();
        if (exchange == null && inbound.isEmpty()) {
            ctx.read();
        }
    }

    /** Called by the exchange when the connection switched protocols: from now on bytes just pass. */
    void tunnel(Exchange upgraded, Channel backend) {
        if (exchange != upgraded) {
            return;
        }
        exchange = null;
        inbound.forEach(ReferenceCountUtil::release); // nothing may follow an upgrade request before its answer
        inbound.clear();
        Tunnel.join(ctx.channel(), backend);
    }

    /** Drops the rest of a request body that will never be sent (the request was answered). */
    void discardBody() {
        while (inbound.peek() instanceof HttpContent content) {
            inbound.poll();
            boolean last = content instanceof LastHttpContent;
            content.release();
            if (last) {
                return;
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (exchange != null) {
            exchange.clientWritabilityChanged();
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (exchange != null) {
            exchange.clientGone();
            exchange = null;
        }
        inbound.forEach(ReferenceCountUtil::release);
        inbound.clear();
    }

    /** An idle client is let go; one waiting for an answer is the exchange's to time out. */
    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) {
        if (event instanceof IdleStateEvent && exchange == null) {
            context.close();
        } else {
            context.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        context.close();
    }
}
