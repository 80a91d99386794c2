package io.plinth.impl.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.util.BouncyCastleUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.hub.HubListener;
import io.plinth.api.pki.ManagementTls;
import io.plinth.support.Threads;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP gateway of a node: a reverse proxy (Netty, NIO transport) in front of versions of a
 * backend, with the 003 seed's {@code /configuration/cluster} API on an admin port.
 */
@Component(service = {}, immediate = true, configurationPid = "io.plinth.gateway", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = Gateway.Config.class)
public final class Gateway {

    @ObjectClassDefinition(name = "Plinth gateway", description = "HTTP reverse proxy with upgrade modes")
    public @interface Config {
        @AttributeDefinition(description = "Address the proxy listens on")
        String host() default "0.0.0.0";

        @AttributeDefinition(description = "Port the proxy listens on")
        int port() default 8080;

        @AttributeDefinition(description = "Address of the /configuration/cluster API")
        String adminHost() default "127.0.0.1";

        @AttributeDefinition(description = "Port of the /configuration/cluster API")
        int adminPort() default 9090;

        @AttributeDefinition(description = "Serve the /configuration/cluster API over HTTPS with the node's certificate, to clients with a"
                + " certificate of the cluster CA whose sub-system (O) is in adminClients; false serves plain HTTP to anyone who reaches it")
        boolean adminTls() default true;

        @AttributeDefinition(description = "Sub-systems (certificate O) allowed to use the /configuration/cluster API, comma-separated")
        String adminClients() default "admin";

        @AttributeDefinition(description = "Milliseconds to wait for a backend connection")
        int connectTimeoutMillis() default 2000;

        @AttributeDefinition(description = "Milliseconds to wait for a backend's answer to start")
        int readTimeoutMillis() default 30000;

        @AttributeDefinition(description = "Start-up configuration in the seed's -configFile format; ignored when absent")
        String configFile() default "";

        @AttributeDefinition(description = "Event loops (threads) serving traffic; 0 means one per core")
        int eventLoops() default 0;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final int ADMIN_MAX_BODY = 64 * 1024;
    /** A client connection with no traffic either way for this long is closed (between requests only). */
    private static final int IDLE_CLIENT_SECONDS = 60;
    /** How much longer than a backend's read timeout a retiring revision waits for its exchanges. */
    private static final int DRAIN_MARGIN_MILLIS = 1000;
    private static final long IDLE_GRACE_MILLIS = 50;

    private final Router router = new Router();
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
    private final Map<String, List<InetSocketAddress>> staticServers = new ConcurrentHashMap<>();
    private Clusters clusters;
    private Health health;
    /** The platform's form of the configuration, registered once the gateway listens. */
    private ServiceRegistration<GatewayService> routes;
    private GroupServers groupServers;
    private ServiceRegistration<HubListener> groupWatch;
    private Backends backends;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel proxy;
    private Channel admin;
    private String proxyAddress;
    private String adminAddress;
    private ListeningSockets sockets;
    /** Open client connections of the proxy, for a retirement to drain. */
    private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
    /** Set when this revision stops: responses say "Connection: close" and connections end after their exchange. */
    private volatile boolean retiring;
    private int readTimeoutMillis;
    /** The node's TLS identity, for the admin API over HTTPS. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ManagementTls tls;

    @Activate
    void activate(Config config, BundleContext context) throws InterruptedException, IOException {
        try {
            start(config, context);
        } catch (InterruptedException | IOException | RuntimeException e) {
            deactivate(); // DS will not: whatever started is stopped here
            throw e;
        }
        LOG.info("Gateway listening on {}, its /configuration/cluster API on {} ({})", proxy.localAddress(), admin.localAddress(),
                config.adminTls() ? "HTTPS, clients of sub-systems " + config.adminClients() : "plain HTTP");
    }

    private void start(Config config, BundleContext context) throws InterruptedException, IOException {
        // Netty keeps exceptions made when these classes are first used, stack traces included (why
        // Bouncy Castle's TLS is missing, HTTP decoding errors): let them record no class of this bundle.
        Threads.firstUseApart(BouncyCastleUtil::isBcTlsAvailable);
        Threads.firstUseApart(HttpServerCodec::new);
        Threads.firstUseApart(HttpClientCodec::new);
        clusters = new Clusters();
        health = new Health(clusters);
        groupServers = new GroupServers(context, clusters::groups);
        groupWatch = context.registerService(HubListener.class, groupServers, null);
        int proxyPort = config.port();
        int adminPort = config.adminPort();
        JsonNode startup = startupConfiguration(config.configFile());
        if (startup != null) {
            proxyPort = startup.path("proxy").path("port").asInt(proxyPort);
            adminPort = startup.path("configService").path("port").asInt(adminPort);
            if (startup.has("cluster")) {
                clusters.addIfNoVersion(AdminHandler.JSON.treeToValue(startup.get("cluster"), Cluster.class));
            }
        }
        readTimeoutMillis = config.readTimeoutMillis();
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("plinth-gateway-accept", true));
        // One loop per core by default: more only adds switching, since a request never leaves its loop.
        int loops = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
        workers = new NioEventLoopGroup(loops, new DefaultThreadFactory("plinth-gateway", true));
        backends = new Backends(config.connectTimeoutMillis());
        sockets = new ListeningSockets(context);
        proxyAddress = config.host() + ":" + proxyPort;
        adminAddress = config.adminHost() + ":" + adminPort;
        ServerSocketChannel proxySocket = sockets.take(proxyAddress);
        ServerSocketChannel adminSocket = sockets.take(adminAddress);
        sockets.closeUntaken();
        proxy = listen(config.host(), proxyPort, proxySocket, new Accepted(), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                if (retiring) {
                    closeWhenIdle(channel); // accepted just before the hand-over
                }
                channel.config().setAutoRead(false);
                channel.pipeline().addLast(new FlushConsolidationHandler(64, true), new HttpServerCodec(),
                        new HttpServerExpectContinueHandler(),
                        new IdleStateHandler(0, 0, IDLE_CLIENT_SECONDS, TimeUnit.SECONDS),
                        new Frontend(Gateway.this));
            }
        });
        AdminAccess access = config.adminTls() ? new AdminAccess(() -> tls, java.util.Arrays.stream(config.adminClients().split(","))
                .map(String::trim).filter(client -> !client.isEmpty()).collect(java.util.stream.Collectors.toSet())) : null;
        admin = listen(config.adminHost(), adminPort, adminSocket, null, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) throws javax.net.ssl.SSLException {
                if (access != null) {
                    io.netty.handler.ssl.SslHandler handshake = access.tls(channel);
                    if (handshake == null) {
                        channel.close(); // no identity to present yet: nothing to serve on
                        return;
                    }
                    channel.pipeline().addLast(handshake);
                }
                channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(ADMIN_MAX_BODY), new AdminHandler(clusters, access));
            }
        });
        routes = context.registerService(GatewayService.class, new Routes(clusters), null);
    }

    /**
     * Hands the listening sockets over to the next revision (this is how a live update of this bundle
     * refuses no connection), lets the exchanges under way finish, then stops.
     */
    @Deactivate
    void deactivate() {
        retiring = true;
        if (routes != null) {
            routes.unregister();
        }
        if (proxy != null) {
            sockets.handOver(proxyAddress, proxy);
        }
        if (admin != null) {
            sockets.handOver(adminAddress, admin);
        }
        drain();
        if (sockets != null) {
            sockets.closeUnclaimedLater();
        }
        if (groupWatch != null) {
            groupWatch.unregister();
        }
        if (groupServers != null) {
            groupServers.close();
        }
        if (backends != null) {
            backends.close();
        }
        if (clusters != null) {
            clusters.close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    boolean retiring() {
        return retiring;
    }

    /**
     * Closes idle client connections after a moment and the others after their exchange, waiting
     * for them up to a backend's read timeout (tunnels, which have no end, are closed).
     */
    private void drain() {
        for (Channel client : clients) {
            if (client.isRegistered()) { // else it is set up after retiring began, and closes when idle then
                closeWhenIdle(client);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis + DRAIN_MARGIN_MILLIS);
        while (System.nanoTime() - deadline < 0) {
            clients.removeIf(client -> !client.isOpen()); // also one whose registration failed: its close went unnotified
            if (clients.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Closes {@code client} if it is idle after a moment's grace: a request already on its way over an
     * idle connection is served (and answered "Connection: close") rather than cut off.
     */
    private void closeWhenIdle(Channel client) {
        client.eventLoop().schedule(() -> {
            Frontend frontend = client.pipeline().get(Frontend.class);
            if (frontend == null || frontend.idle()) {
                client.close();
            }
        }, IDLE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Listens on host:port: on the socket the previous revision handed over, if any, else on a new one;
     * {@code onAccept} (or null) sees each connection as it is accepted.
     */
    private Channel listen(String host, int port, ServerSocketChannel handedOver, ChannelHandler onAccept,
            ChannelInitializer<SocketChannel> initializer) throws InterruptedException {
        ChannelFactory<ServerChannel> listening = () -> handedOver == null ? new ListeningSockets.Listening()
                : new ListeningSockets.Listening(handedOver);
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers).channelFactory(listening)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
        if (onAccept != null) {
            bootstrap.handler(onAccept);
        }
        if (handedOver != null) {
            return bootstrap.register().sync().channel(); // bound already: accepting starts once registered
        }
        return bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
    }

    /**
     * Counts a proxy connection among the clients from its accept on, before it is set up on its event
     * loop: a retirement that drains the clients then cannot miss one accepted just before the hand-over
     * (its event loop would stop under it).
     */
    private final class Accepted extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object accepted) {
            Channel client = (Channel) accepted;
            clients.add(client);
            client.closeFuture().addListener(closed -> clients.remove(client));
            ctx.fireChannelRead(accepted);
        }
    }

    private static JsonNode startupConfiguration(String file) throws IOException {
        if (file == null || file.isBlank() || !Files.exists(Path.of(file))) {
            return null;
        }
        return AdminHandler.JSON.readTree(Path.of(file).toFile());
    }

    Router router() {
        return router;
    }

    Clusters clusters() {
        return clusters;
    }

    Health health() {
        return health;
    }

    Backends backends() {
        return backends;
    }

    int readTimeoutMillis() {
        return readTimeoutMillis;
    }

    /**
     * The next server of a version, round-robin, skipping those a request tried already; null
     * when there is none left (or none at all: a group without available members).
     */
    InetSocketAddress pick(Cluster cluster, List<InetSocketAddress> tried) {
        List<InetSocketAddress> servers = servers(cluster);
        int start = servers.isEmpty() ? 0 : roundRobin.computeIfAbsent(cluster.uuid(), id -> new AtomicInteger()).getAndIncrement();
        for (int i = 0; i < servers.size(); i++) {
            InetSocketAddress server = servers.get(Math.floorMod(start + i, servers.size()));
            if (!tried.contains(server)) {
                return server;
            }
        }
        return null;
    }

    /** A version's servers now. */
    private List<InetSocketAddress> servers(Cluster cluster) {
        if (cluster.group() != null) {
            return groupServers.servers(cluster.group());
        }
        // Resolved once per version, not on the event loop for every request.
        return staticServers.computeIfAbsent(cluster.uuid(),
                id -> cluster.servers().stream().map(s -> new InetSocketAddress(s.ip(), s.port())).toList());
    }
}
