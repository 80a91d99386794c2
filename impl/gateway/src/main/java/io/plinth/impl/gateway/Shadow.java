package io.plinth.impl.gateway;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A mirrored request for the CONCURRENT mode: sent to one version on the client's event loop, its
 * answer only observed (status, content type, body digest), never shown to anybody.
 */
final class Shadow implements BackendUser {

    private final Gateway gateway;
    private final EventLoop loop;
    private final HttpRequest head;
    private final Cluster cluster;
    private final Consumer<Comparison.Observed> done;
    private final Comparison.Recorder recorder = new Comparison.Recorder();
    private Channel backend;
    private boolean keepAlive;
    private boolean finished;
    private ScheduledFuture<?> timeout;

    Shadow(Gateway gateway, EventLoop loop, HttpRequest head, Cluster cluster, Consumer<Comparison.Observed> done) {
        this.gateway = gateway;
        this.loop = loop;
        this.head = head;
        this.cluster = cluster;
        this.done = done;
    }

    void start() {
        InetSocketAddress address = gateway.pick(cluster, List.of());
        if (address == null) {
            finish(Comparison.Observed.failed("no server to send to"));
            return;
        }
        gateway.backends().acquire(loop, address).addListener((Future<Channel> connected) -> {
            if (!connected.isSuccess()) {
                finish(Comparison.Observed.failed("cannot connect: " + connected.cause()));
                return;
            }
            backend = connected.getNow();
            backend.attr(Backends.USER).set(this);
            backend.write(head);
            backend.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            timeout = loop.schedule(() -> finish(Comparison.Observed.failed("no answer within " + gateway.readTimeoutMillis() + " ms")),
                    gateway.readTimeoutMillis(), TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void fromBackend(Channel from, HttpObject message) {
        if (message instanceof HttpResponse response) {
            recorder.head(response);
            keepAlive = HttpUtil.isKeepAlive(response);
        }
        if (message instanceof HttpContent content) {
            recorder.body(content.content());
            boolean last = content instanceof LastHttpContent;
            content.release();
            if (last) {
                finish(recorder.observed());
            }
        }
    }

    @Override
    public void backendFailed(Channel from, Throwable cause) {
        keepAlive = false;
        finish(Comparison.Observed.failed("connection failed: " + cause));
    }

    private void finish(Comparison.Observed observed) {
        if (finished) {
            return;
        }
        finished = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (backend != null) {
            gateway.backends().release(backend, keepAlive && observed.failure() == null);
        }
        done.accept(observed);
    }
}
