package io.plinth.impl.discovery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.plinth.api.cluster.ClusterService;
import io.plinth.api.discovery.DiscoveryService;
import io.plinth.api.discovery.DnsRecord;
import io.plinth.api.hub.Hub;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.TextParseException;

/**
 * The discovery service's DNS server: authoritative for the platform's zone, over UDP and TCP on
 * one port (Netty; messages read and written by dnsjava). UDP answers fit the client's buffer
 * (512 bytes, or what its EDNS record offers) and are marked truncated otherwise, so the client
 * asks again over TCP.
 */
@Component(service = {}, immediate = true, configurationPid = "io.plinth.discovery", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DnsServer.Config.class)
public final class DnsServer {

    @ObjectClassDefinition(name = "Plinth discovery", description = "Authoritative DNS for hub groups, instances and nodes")
    public @interface Config {
        @AttributeDefinition(description = "Address the DNS server listens on")
        String host() default "0.0.0.0";

        @AttributeDefinition(description = "Port, UDP and TCP")
        int port() default 8053;

        @AttributeDefinition(description = "The zone it is authoritative for")
        String zone() default "plinth.internal.";

        @AttributeDefinition(description = "Seconds resolvers may cache an answer: short, as members come and go")
        int ttlSeconds() default 5;
    }

    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    private static final int CLASSIC_UDP_SIZE = 512;
    private static final int TCP_IDLE_SECONDS = 10;

    private ServiceTracker<Hub, Hub> hub;
    private ServiceTracker<ClusterService, ClusterService> cluster;
    private EventLoopGroup loop;
    private Channel udp;
    private Channel tcp;
    private ServiceRegistration<DiscoveryService> service;

    @Activate
    void activate(Config config, BundleContext context) throws InterruptedException, TextParseException {
        Name zone = Name.fromString(config.zone().endsWith(".") ? config.zone() : config.zone() + ".");
        hub = new ServiceTracker<>(context, Hub.class, null);
        hub.open();
        cluster = new ServiceTracker<>(context, ClusterService.class, null);
        cluster.open();
        AgentRecords agents = new AgentRecords(zone);
        Answers answers = new Answers(zone, config.ttlSeconds(), this::currentHub, cluster::getService, agents);
        loop = new NioEventLoopGroup(1, new DefaultThreadFactory("plinth-dns", true));
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        try {
            udp = new Bootstrap().group(loop).channel(NioDatagramChannel.class).handler(new UdpQueries(answers)).bind(address).sync().channel();
            tcp = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class).childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    channel.pipeline().addLast(new ReadTimeoutHandler(TCP_IDLE_SECONDS), new LengthFieldBasedFrameDecoder(65_535, 0, 2, 0, 2),
                            new LengthFieldPrepender(2), new TcpQueries(answers));
                }
            }).bind(address).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            deactivate();
            throw e;
        }
        service = context.registerService(DiscoveryService.class, new Discovery(zone, agents), null);
        LOG.info("Discovery DNS for {} on {} (UDP and TCP)", zone, address);
    }

    @Deactivate
    void deactivate() {
        if (service != null) {
            service.unregister();
        }
        if (udp != null) {
            udp.close().syncUninterruptibly();
        }
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        cluster.close();
        hub.close();
    }

    /** Without a hub (it is being replaced) the server answers SERVFAIL, and resolvers retry. */
    private Hub currentHub() {
        Hub current = hub.getService();
        if (current == null) {
            throw new IllegalStateException("no hub");
        }
        return current;
    }

    /** The answer to a query's bytes, or null when they are not a DNS message (dropped: no reply to noise). */
    private static byte[] answer(Answers answers, byte[] query, boolean udp) {
        Message request;
        try {
            request = new Message(query);
        } catch (IOException e) {
            return null;
        }
        Message response = answers.answer(request);
        if (!udp) {
            return response.toWire();
        }
        OPTRecord edns = request.getOPT();
        return response.toWire(edns == null ? CLASSIC_UDP_SIZE : Math.max(CLASSIC_UDP_SIZE, edns.getPayloadSize()));
    }

    private static final class UdpQueries extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Answers answers;

        UdpQueries(Answers answers) {
            super(DatagramPacket.class); // a type given, not found by reflection: Netty caches what it finds per thread
            this.answers = answers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            byte[] reply = answer(answers, ByteBufUtil.getBytes(packet.content()), true);
            if (reply != null) {
                ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply), packet.sender()));
            }
        }
    }

    private static final class TcpQueries extends SimpleChannelInboundHandler<ByteBuf> {
        private final Answers answers;

        TcpQueries(Answers answers) {
            super(ByteBuf.class);
            this.answers = answers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf query) {
            byte[] reply = answer(answers, ByteBufUtil.getBytes(query), false);
            if (reply == null) {
                ctx.close();
            } else {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(reply));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The platform's form: the zone, and the records agents publish. */
    private record Discovery(Name zoneName, AgentRecords agents) implements DiscoveryService {
        @Override
        public String zone() {
            return zoneName.toString();
        }

        @Override
        public List<DnsRecord> records() {
            return agents.list();
        }

        @Override
        public DnsRecord put(DnsRecord record) {
            return agents.put(record);
        }

        @Override
        public void remove(String name, String type) {
            agents.remove(name, type);
        }
    }
}
