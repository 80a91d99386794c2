package io.plinth.impl.gateway;

import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.plinth.api.pki.ManagementTls;

/**
 * Who may use the gateway's {@code /configuration/cluster} API over HTTPS: a client presenting a
 * certificate of the cluster CA (checked in the handshake and again at each request, so an expired
 * or revoked one stops working on an open connection too) whose sub-system (O) is one of
 * {@code subsystems}. The TLS identity is the node's ({@link ManagementTls}), followed live.
 */
final class AdminAccess {

    private final Supplier<ManagementTls> node;
    private final Set<String> subsystems;
    private volatile ManagementTls builtFor;
    private volatile SslContext context;

    AdminAccess(Supplier<ManagementTls> node, Set<String> subsystems) {
        this.node = node;
        this.subsystems = Set.copyOf(subsystems);
    }

    /** The TLS handler for a new connection, or null while the node has no TLS identity (the connection is then refused). */
    SslHandler tls(SocketChannel channel) throws SSLException {
        ManagementTls current = node.get();
        if (current == null) {
            return null;
        }
        if (current != builtFor) { // the managers follow renewals by themselves: one context per service
            context = SslContextBuilder.forServer(current.keyManager()).trustManager(current.trustManager()).clientAuth(ClientAuth.REQUIRE)
                    .sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2").build();
            builtFor = current;
        }
        return context.newHandler(channel.alloc());
    }

    /** Why this request's client may not use the API, or null when it may. */
    String refusal(ChannelHandlerContext connection) {
        ManagementTls current = node.get();
        SslHandler tls = connection.pipeline().get(SslHandler.class);
        if (current == null || tls == null) {
            return "this node has no TLS identity yet";
        }
        try {
            Certificate[] peer = tls.engine().getSession().getPeerCertificates();
            String identity = current.identity(Arrays.copyOf(peer, peer.length, X509Certificate[].class));
            String subsystem = identity.substring(0, identity.indexOf('/'));
            return subsystems.contains(subsystem) ? null
                    : "agent " + identity + " may not configure the gateway (allowed sub-systems: " + subsystems + ")";
        } catch (SSLPeerUnverifiedException | CertificateException | ArrayStoreException e) {
            return "client certificate refused: " + e.getMessage();
        }
    }
}
