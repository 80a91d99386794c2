package io.plinth.impl.gateway;

import java.nio.charset.StandardCharsets;
import java.util.List;


import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The 003 seed's configuration API, verbatim (§7.5, appendix 10.1):
 * {@code PUT /configuration/cluster} answers 202 with the new id as text, {@code GET} answers 200
 * with one or all clusters, {@code DELETE} answers 202; an unknown id is 404, bad input 400.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final ObjectMapper JSON = JsonMapper.builder()
            .typeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 64)))
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final String BASE = "/configuration/cluster";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdminHandler.class);

    /** The request and response body shape: {@code {"cluster": {...}}}. */
    record Envelope(Cluster cluster) {
    }

    private final Clusters clusters;
    /** Who may use the API; null when it is served as plain HTTP (an admin's explicit choice). */
    private final AdminAccess access;

    AdminHandler(Clusters clusters, AdminAccess access) {
        super(FullHttpRequest.class); // a type given, not found by reflection: Netty caches what it finds per thread
        this.clusters = clusters;
        this.access = access;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        String refusal = access == null ? null : access.refusal(ctx);
        try {
            response = refusal != null ? text(HttpResponseStatus.FORBIDDEN, refusal) : answer(request);
        } catch (IllegalArgumentException e) {
            response = text(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (JsonProcessingException e) {
            response = text(HttpResponseStatus.BAD_REQUEST, "request syntax is invalid: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            LOG.error("The gateway's configuration API failed on {} {}", request.method(), request.uri(), e);
            response = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the gateway failed: " + e.getMessage());
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private FullHttpResponse answer(FullHttpRequest request) throws JsonProcessingException {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.equals(BASE) && !path.startsWith(BASE + "/")) {
            return text(HttpResponseStatus.NOT_FOUND, "unknown path " + path + "; the API is under " + BASE);
        }
        String id = path.length() > BASE.length() + 1 ? path.substring(BASE.length() + 1) : "";
        HttpMethod method = request.method();
        if (id.isEmpty() && method == HttpMethod.PUT) {
            Envelope body = JSON.readValue(request.content().toString(StandardCharsets.UTF_8), Envelope.class);
            if (body == null || body.cluster() == null) {
                throw new IllegalArgumentException("the body must be {\"cluster\": {...}}");
            }
            return text(HttpResponseStatus.ACCEPTED, clusters.add(body.cluster()));
        }
        if (id.isEmpty() && method == HttpMethod.GET) {
            List<Envelope> all = clusters.all().stream().map(Envelope::new).toList(); // other routes' carry "route"
            return json(HttpResponseStatus.OK, all);
        }
        if (!id.isEmpty() && method == HttpMethod.GET) {
            return clusters.get(id).map(c -> json(HttpResponseStatus.OK, new Envelope(c)))
                    .orElseGet(() -> text(HttpResponseStatus.NOT_FOUND, "no cluster " + id));
        }
        if (!id.isEmpty() && method == HttpMethod.DELETE) {
            return clusters.remove(id) ? text(HttpResponseStatus.ACCEPTED, id) : text(HttpResponseStatus.NOT_FOUND, "no cluster " + id);
        }
        FullHttpResponse refused = text(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not supported on " + path);
        refused.headers().set(HttpHeaderNames.ALLOW, id.isEmpty() ? "GET, PUT" : "GET, DELETE");
        return refused;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, body, "text/plain; charset=utf-8");
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object body) {
        try {
            return response(status, JSON.writeValueAsString(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body, String type) {
        FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }
}
