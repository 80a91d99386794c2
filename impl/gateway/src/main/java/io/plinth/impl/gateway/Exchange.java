package io.plinth.impl.gateway;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One request through the gateway, from the client's request to the last byte of the answer.
 * It tries the versions its route names in order: a version that cannot be reached, that fails
 * (5xx) or does not answer in time is skipped for the next one when retrying is safe (the method
 * is idempotent and the request has no body, or nothing was sent yet), so the client sees no
 * error. A server of a version that refuses the connection is first skipped for the version's
 * next server. Bodies stream through in both directions without being buffered whole; a
 * WebSocket upgrade turns the two connections into a {@link Tunnel}.
 *
 * <p>Every method runs on the client connection's event loop; events of the backend connection
 * are moved there first.
 */
final class Exchange implements BackendUser {

    /** What the gateway answers when it cannot deliver a backend's answer. */
    record ErrorBody(int status, String error, String message) {
    }

    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, "HTTP2-Settings");

    private final Gateway gateway;
    private final Frontend frontend;
    private final ChannelHandlerContext client;
    private final HttpRequest request;
    private final boolean clientKeepAlive;
    private final boolean bodiless;
    /** The client asks for a WebSocket; on "101" the connections become a {@link Tunnel}. */
    private final boolean upgrade;
    private final Router.Route route;

    private int attempt;
    /** Why the last of the current version's servers failed, until the version answers or is given up. */
    private String serverFailure;
    /** Why the last version tried did not answer, for the client when none does. */
    private String lastFailure;
    /** The current version's servers this request went to. */
    private final List<InetSocketAddress> triedServers = new ArrayList<>(2);
    /** The version the current attempt goes to. */
    private Cluster current;
    private Channel backend;
    /** The request head went out on the current backend connection. */
    private boolean sent;
    /** The whole request body went out. */
    private boolean bodySent;
    /** Part of the answer went to the client: from here on there is no way back. */
    private boolean answering;
    /** A failed answer is being read to its end and dropped before the next attempt. */
    private boolean discarding;
    /** An interim (1xx) answer's end is being dropped. */
    private boolean skippingInterim;
    /** The current attempt's failure was already counted (a 5xx head) and must not count twice. */
    private boolean healthRecorded;
    /** The answer's end can only be told by closing the client connection (HTTP/1.0, no length). */
    private boolean closeAfterAnswer;
    /** When the current attempt's request was completely sent. */
    private long requestSentAt;
    /** When the backend was last heard from (or the request went out). */
    private long heardAt;
    private boolean finished;
    /** The backend will keep its connection open after this answer. */
    private boolean backendKeepAlive;
    private ScheduledFuture<?> answerTimeout;
    /** Counts the current attempt as a failure when its answer is late by the previous version's measure. */
    private ScheduledFuture<?> lateCheck;
    /** CONCURRENT mode: judges the new version against what this exchange answered; else null. */
    private Comparison comparison;
    private Comparison.Recorder answered;

    Exchange(Gateway gateway, Frontend frontend, ChannelHandlerContext client, HttpRequest request) {
        this.gateway = gateway;
        this.frontend = frontend;
        this.client = client;
        this.request = request;
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.bodiless = !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0L;
        this.bodySent = bodiless;
        // Only WebSocket: an "h2c" upgrade would tie the connection to one server, past routing and health.
        this.upgrade = request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
        Clusters clusters = gateway.clusters();
        String path = new QueryStringDecoder(request.uri()).rawPath();
        this.route = gateway.router().route(request, clusters.serving(clusters.match(request.headers().get(HttpHeaderNames.HOST), path)));
    }

    void start() {
        if (!request.decoderResult().isSuccess()) {
            answerError(HttpResponseStatus.BAD_REQUEST, "the request is not valid HTTP: " + request.decoderResult().cause());
            return;
        }
        if (request.method() == HttpMethod.CONNECT) {
            answerError(HttpResponseStatus.METHOD_NOT_ALLOWED, "the gateway is a reverse proxy; CONNECT is not supported");
            return;
        }
        if (route.candidates().isEmpty()) {
            answerError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no backend is configured (PUT /configuration/cluster first)");
            return;
        }
        if (route.mirror() != null && mirrorable()) {
            mirror();
        }
        tryNext();
    }

    /** Only requests that can be sent twice without harm, and need no body kept, are mirrored. */
    private boolean mirrorable() {
        return bodiless && !upgrade && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD);
    }

    /** Sends the request again to the previous version (for noise) and to the new one (to judge it). */
    private void mirror() {
        comparison = new Comparison(gateway.health(), route.mirror());
        answered = new Comparison.Recorder();
        io.netty.channel.EventLoop loop = client.channel().eventLoop();
        new Shadow(gateway, loop, forwardedHead(), route.candidates().get(0), comparison::secondary).start();
        new Shadow(gateway, loop, forwardedHead(), route.mirror(), comparison::candidate).start();
    }

    /** Whether it is time to read more of the request body. */
    boolean wantsBody() {
        return sent && !bodySent && !finished && backend != null && backend.isWritable();
    }

    // --- towards the backend ------------------------------------------------------------------

    private void tryNext() {
        if (attempt >= route.candidates().size()) {
            answerError(HttpResponseStatus.BAD_GATEWAY, "no version of the backend could answer" + (lastFailure == null ? "" : "; the last: " + lastFailure));
            return;
        }
        current = route.candidates().get(attempt++);
        healthRecorded = false;
        triedServers.clear();
        serverFailure = null;
        connect();
    }

    /** Connects to the current version's next server. */
    private void connect() {
        InetSocketAddress address = gateway.pick(current, triedServers);
        if (address == null) {
            if (serverFailure != null) {
                gateway.health().failed(current, serverFailure); // the version failed: none of its servers would do
                lastFailure = serverFailure;
            } else if (triedServers.isEmpty() && current.group() != null) {
                lastFailure = "no member of group " + current.group() + " is available";
                gateway.health().failed(current, lastFailure); // the backend is gone
            }
            tryNext();
            return;
        }
        triedServers.add(address);
        gateway.backends().acquire(client.channel().eventLoop(), address)
                .addListener((Future<Channel> connected) -> onClientLoop(() -> connected(connected)));
    }

    private void connected(Future<Channel> connected) {
        if (finished) {
            if (connected.isSuccess()) {
                gateway.backends().release(connected.getNow(), true);
            }
            return;
        }
        if (!connected.isSuccess()) {
            serverFailure = "cannot connect: " + connected.cause();
            connect(); // nothing was sent: always safe to go on, to another server of the version first
            return;
        }
        backend = connected.getNow();
        backend.attr(Backends.USER).set(this);
        sent = true;
        backend.write(forwardedHead());
        // A request without body ends with its head; the encoder must be told so.
        backend.writeAndFlush(bodiless ? LastHttpContent.EMPTY_LAST_CONTENT : Unpooled.EMPTY_BUFFER);
        if (bodySent) {
            requestSent(); // waiting for the answer starts once the whole request is out
        }
        frontend.moreBody();
    }

    /** Sends one part of the request body; false when the backend cannot take more for now. */
    boolean bodyTo(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            badRequestBody(content.decoderResult().cause());
            return false;
        }
        boolean last = content instanceof LastHttpContent;
        backend.writeAndFlush(content);
        if (last) {
            bodySent = true;
            requestSent();
        }
        return backend.isWritable();
    }

    /** The client's body cannot be decoded: the backend must not take a truncated request for whole. */
    private void badRequestBody(Throwable cause) {
        Channel partial = backend;
        backend = null;
        partial.attr(Backends.USER).set(null);
        gateway.backends().release(partial, false);
        answerError(HttpResponseStatus.BAD_REQUEST, "the request body is not valid HTTP: " + cause);
    }

    @Override
    public void backendWritabilityChanged() {
        onClientLoop(() -> {
            if (wantsBody()) {
                frontend.moreBody();
            }
        });
    }

    private HttpRequest forwardedHead() {
        HttpHeaders headers = request.headers().copy();
        HOP_BY_HOP.forEach(headers::remove);
        headers.remove(HttpHeaderNames.EXPECT); // the client's pipeline answered "100 Continue" already
        InetSocketAddress peer = (InetSocketAddress) client.channel().remoteAddress();
        String clientIp = peer.getAddress().getHostAddress();
        String previous = headers.get("X-Forwarded-For");
        headers.set("X-Forwarded-For", previous == null ? clientIp : previous + ", " + clientIp);
        headers.set("X-Forwarded-Proto", "http");
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            headers.set("X-Forwarded-Host", host);
        }
        String forwarded = "for=" + (clientIp.contains(":") ? "\"[" + clientIp + "]\"" : clientIp) + ";proto=http"
                + (host == null ? "" : ";host=\"" + host + "\"");
        String earlier = headers.get("Forwarded");
        headers.set("Forwarded", earlier == null ? forwarded : earlier + ", " + forwarded);
        DefaultHttpRequest head = new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(), headers);
        HttpUtil.setKeepAlive(head, true);
        if (upgrade) {
            head.headers().set(HttpHeaderNames.UPGRADE, request.headers().get(HttpHeaderNames.UPGRADE))
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        return head;
    }

    // --- from the backend ---------------------------------------------------------------------

    @Override
    public void fromBackend(Channel from, HttpObject message) {
        onClientLoop(() -> onBackend(from, message));
    }

    @Override
    public void backendFailed(Channel from, Throwable cause) {
        onClientLoop(() -> onBackendFailure(from, cause));
    }

    /** Backend connections normally live on the client's loop; anything else is moved there. */
    private void onClientLoop(Runnable task) {
        if (client.executor().inEventLoop()) {
            task.run();
        } else {
            client.executor().execute(task);
        }
    }

    private void onBackend(Channel from, HttpObject message) {
        if (from != backend || finished) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message.decoderResult().isFailure()) {
            ReferenceCountUtil.release(message);
            dropBackend("sent an answer that is not valid HTTP: " + message.decoderResult().cause(), false);
            return;
        }
        heardAt = System.nanoTime(); // the timer measures silence: every part of the answer counts
        cancelLateCheck();
        if (message instanceof HttpResponse response && !head(response)) {
            if (message instanceof HttpContent content) {
                body(content); // ends the interim answer or the discarded failure it carries
            }
            return;
        }
        if (message instanceof HttpContent content) {
            body(content);
        }
    }

    /** The answer's head; false when it is not passed on (an interim 1xx, or a failure to retry). */
    private boolean head(HttpResponse response) {
        if (upgrade && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
            switchProtocols(response);
            return true;
        }
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            skippingInterim = true; // "100 Continue" and the like: the gateway answered that itself
            return false;
        }
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        boolean failed = response.status().code() >= 500;
        if (failed) {
            lastFailure = "answered " + response.status();
            gateway.health().failed(current, lastFailure);
            healthRecorded = true;
        } else {
            gateway.health().succeeded(current, System.nanoTime() - requestSentAt);
        }
        if (failed && retryable()) {
            discarding = true; // read the failed answer to its end, then try the previous version
            return false;
        }
        answering = true;
        if (answered != null) {
            answered.head(response);
        }
        // A whole response object carries its body too: write its head alone, the body follows as content.
        HttpResponse head = response instanceof HttpContent
                ? new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers().copy())
                : response;
        client.writeAndFlush(toClient(head));
        return true;
    }

    /** The backend took the upgrade: pass its answer on and join the two connections for good. */
    private void switchProtocols(HttpResponse response) {
        cancelTimeout();
        gateway.health().succeeded(current, System.nanoTime() - requestSentAt);
        finished = true;
        Channel upgraded = backend;
        backend = null;
        upgraded.attr(Backends.USER).set(null); // never back to the pool: it speaks another protocol now
        // Upgrade and Connection stay, unlike on any other answer: they are what the client waits for.
        client.writeAndFlush(new DefaultHttpResponse(request.protocolVersion(), response.status(), response.headers().copy()));
        frontend.tunnel(this, upgraded);
    }

    private void body(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (skippingInterim || discarding) {
            content.release();
            if (last && skippingInterim) {
                skippingInterim = false;
            } else if (last) {
                discarding = false;
                releaseBackend(backendKeepAlive);
                tryNext();
            }
            return;
        }
        if (answered != null) {
            answered.body(content.content());
        }
        if (last) {
            // Done with the backend before writing: its closing the connection now is no failure.
            cancelTimeout();
            releaseBackend(backendKeepAlive);
            client.writeAndFlush(content).addListener(written -> finish(written.isSuccess()));
            return;
        }
        client.writeAndFlush(content); // the pipeline's flush consolidation batches these
        if (!client.channel().isWritable()) {
            backend.config().setAutoRead(false); // the client reads slowly: stop reading the backend
        }
    }

    void clientWritabilityChanged() {
        if (backend != null && client.channel().isWritable()) {
            backend.config().setAutoRead(true);
            heardAt = System.nanoTime();
        }
    }

    private void onBackendFailure(Channel from, Throwable cause) {
        if (from == backend && !finished) {
            dropBackend("the connection failed: " + cause, true);
        }
    }

    private void timedOut() {
        long silentFor = System.nanoTime() - heardAt;
        long limit = TimeUnit.MILLISECONDS.toNanos(gateway.readTimeoutMillis());
        if (silentFor < limit && !finished && backend != null) {
            // Heard from since the timer was set: one timer per request, moved on rather than replaced.
            answerTimeout = client.executor().schedule(this::timedOut, limit - silentFor, TimeUnit.NANOSECONDS);
            return;
        }
        if (!finished && backend != null) {
            dropBackend("nothing came for " + gateway.readTimeoutMillis() + " ms", false);
        }
    }

    /**
     * Gives up the current backend connection: retries elsewhere when safe, else answers or cuts.
     * A lost connection (a server that went away, or a pooled connection it had closed) is retried
     * on the version's next server first; a version that fails or is silent, on the next version.
     */
    private void dropBackend(String why, boolean connectionLost) {
        cancelTimeout();
        Channel failed = backend;
        backend = null;
        failed.attr(Backends.USER).set(null);
        gateway.backends().release(failed, false);
        boolean wasDiscarding = discarding;
        discarding = false;
        skippingInterim = false;
        boolean anotherServer = !answering && connectionLost && !wasDiscarding && (resendable() || !sent);
        lastFailure = why;
        if (anotherServer) {
            serverFailure = healthRecorded ? null : why; // counted against the version if no server will do
        } else if (!answering && !healthRecorded) {
            gateway.health().failed(current, why);
        }
        healthRecorded = false;
        if (anotherServer) {
            sent = false;
            connect();
        } else if (!answering && (retryable() || !sent || wasDiscarding && attempt < route.candidates().size())) {
            sent = false;
            tryNext();
        } else if (!answering) {
            answerError(why.startsWith("nothing came") ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
                    "the backend " + why);
        } else {
            finished = true;
            client.close(); // halfway through an answer: the client must see it was cut
        }
    }

    /** Safe to send to the next version: resendable, and there is one. */
    private boolean retryable() {
        return resendable() && attempt < route.candidates().size();
    }

    /** Safe to send again: an idempotent method whose whole request is its head. */
    private boolean resendable() {
        HttpMethod method = request.method();
        boolean idempotent = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT || method == HttpMethod.DELETE || method == HttpMethod.TRACE;
        return idempotent && bodiless;
    }

    private HttpResponse toClient(HttpResponse response) {
        HOP_BY_HOP.forEach(response.headers()::remove);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        if (!HttpUtil.isContentLengthSet(response) && mayHaveBody(response)) {
            if (http10) {
                // An HTTP/1.0 client knows no chunks: the body ends when the connection closes.
                response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                closeAfterAnswer = true;
            } else if (!HttpUtil.isTransferEncodingChunked(response)) {
                HttpUtil.setTransferEncodingChunked(response, true); // the backend meant "until close": re-frame it
            }
        }
        if (route.setCookie() != null) {
            response.headers().add(HttpHeaderNames.SET_COOKIE, route.setCookie());
        }
        response.setProtocolVersion(request.protocolVersion()); // our framing towards the client, not the backend's
        closeAfterAnswer |= gateway.retiring(); // this revision is being replaced: the client reconnects to the next
        HttpUtil.setKeepAlive(response, clientKeepAlive && !closeAfterAnswer);
        return response;
    }

    private boolean mayHaveBody(HttpResponse response) {
        int code = response.status().code();
        return request.method() != HttpMethod.HEAD && code >= 200 && code != 204 && code != 304;
    }

    // --- ending -------------------------------------------------------------------------------

    private void finish(boolean written) {
        if (finished) {
            return;
        }
        finished = true;
        releaseBackend(backendKeepAlive);
        if (comparison != null) {
            comparison.primary(answered.observed());
        }
        frontend.done(this, written && clientKeepAlive && !closeAfterAnswer);
    }

    private void releaseBackend(boolean reusable) {
        if (backend != null) {
            Channel done = backend;
            backend = null;
            done.config().setAutoRead(true);
            gateway.backends().release(done, reusable && bodySent);
        }
    }

    /** The whole request went out: from now on the backend's silence is timed, and its answer. */
    private void requestSent() {
        requestSentAt = System.nanoTime();
        armTimeout();
        long lateAfter = gateway.health().lateAfterNanos(current);
        if (lateAfter > 0) {
            Channel waitingOn = backend;
            lateCheck = client.executor().schedule(() -> late(waitingOn, lateAfter), lateAfter, TimeUnit.NANOSECONDS);
        }
    }

    /** Still no answer long after the previous version would have answered: that counts against it. */
    private void late(Channel waitingOn, long lateAfter) {
        if (backend == waitingOn && !answering && !healthRecorded && !finished) {
            healthRecorded = true;
            gateway.health().failed(current, String.format("no answer after %.1f ms", lateAfter / 1e6));
        }
    }

    /** (Re)starts the timer that gives up on a backend that has been silent for the read timeout. */
    private void armTimeout() {
        cancelTimeout();
        heardAt = System.nanoTime();
        answerTimeout = client.executor().schedule(this::timedOut, gateway.readTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelTimeout() {
        if (answerTimeout != null) {
            answerTimeout.cancel(false);
            answerTimeout = null;
        }
        cancelLateCheck();
    }

    private void cancelLateCheck() {
        if (lateCheck != null) {
            lateCheck.cancel(false);
            lateCheck = null;
        }
    }

    private void answerError(HttpResponseStatus status, String message) {
        if (comparison != null) {
            comparison.primary(Comparison.Observed.failed(message));
        }
        cancelTimeout();
        releaseBackend(false);
        finished = true;
        frontend.discardBody();
        String json;
        try {
            // The same shape as the platform's REST errors.
            json = AdminHandler.JSON.writeValueAsString(new ErrorBody(status.code(), status.reasonPhrase(), message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        boolean keepAlive = clientKeepAlive && bodySent && !gateway.retiring();
        HttpUtil.setKeepAlive(response, keepAlive);
        client.writeAndFlush(response).addListener(written -> frontend.done(this, keepAlive && written.isSuccess()));
    }

    /** The client went away: give the backend connection up (it may be mid-answer). */
    void clientGone() {
        if (comparison != null) {
            comparison.primary(Comparison.Observed.failed("the client went away"));
        }
        finished = true;
        cancelTimeout();
        releaseBackend(false);
    }
}
