package io.plinth.impl.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.plinth.api.cluster.ClusterInfo;
import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.ClusterService;
import io.plinth.api.cluster.JoinToken;
import io.plinth.api.cluster.NodeState;
import io.plinth.api.component.ComponentController;
import io.plinth.api.pki.AgentCertificates;
import io.plinth.api.pki.CertificateAuthority;
import io.plinth.api.pki.ManagementTls;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.support.HostPort;
import io.plinth.support.Threads;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership of a cluster: initializing one (creating its CA), issuing join tokens,
 * admitting nodes that redeem them, and joining with one. What it learns is kept by {@link NodeFiles}.
 */
@Component(service = ClusterService.class, configurationPid = "io.plinth.cluster", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ClusterNode.Config.class)
public final class ClusterNode implements ClusterService {

    @ObjectClassDefinition(name = "Plinth cluster", description = "Cluster CA, join tokens and this node's membership")
    public @interface Config {
        @AttributeDefinition(description = "This node's name (its certificate's OU); empty means karaf.name, or the host name while that is 'root'")
        String nodeName() default "";

        @AttributeDefinition(description = "The address other nodes reach this node at (in tokens and certificates); empty means the host's address")
        String advertisedHost() default "";

        @AttributeDefinition(description = "Address of the join service (HTTPS, on nodes holding the CA)")
        String joinHost() default "0.0.0.0";

        @AttributeDefinition(description = "Port of the join service")
        int joinPort() default 7900;

        @AttributeDefinition(description = "Address the cluster channel binds to; empty means advertisedHost")
        String clusterHost() default "";

        @AttributeDefinition(description = "Port of the cluster channel (JGroups over mutual TLS)")
        int clusterPort() default 7800;

        @AttributeDefinition(description = "Cluster channels of other members to find the cluster through, host:port, comma-separated;"
                + " a node that joined with a token knows its seed already")
        String seeds() default "";

        @AttributeDefinition(description = "DNS names to find members' cluster channels through, comma-separated, absolute: SRV names"
                + " (such as _plinth._tcp.node.plinth.internal. of a Plinth discovery service) give hosts and ports, other names"
                + " A/AAAA records at clusterPort. Looked up at each connection and every " + SEED_REFRESH_SECONDS + " s")
        String seedNames() default "";

        @AttributeDefinition(description = "The DNS server to ask for seedNames, host:port; empty means the system's resolvers")
        String seedResolver() default "";

        @AttributeDefinition(description = "Base URL of the CA's revocation services (its /crl and /ocsp), named in the certificates"
                + " it issues; empty means this node's REST API: https://advertisedHost:HTTPS_PORT/plinth/api/v1/pki"
                + " (http and the plain port when plain HTTP is enabled)")
        String pkiUrl() default "";

        @AttributeDefinition(description = "Minutes a node certificate is valid; each node renews its own at half-life")
        int certificateMinutes() default 60;

        @AttributeDefinition(description = "Keys this node makes for itself and its instances: EC (P-256) or RSA (2048 bits)")
        String keyAlgorithm() default "EC";

        @AttributeDefinition(description = "Days the cluster CA certificate is valid")
        int caDays() default 365;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    private static final String CA_KEYS = "ca";
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    private static final String CLUSTER_NAME = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
    private static final Duration MAX_TOKEN_TTL = Duration.ofHours(24);
    private static final long RECONNECT_SECONDS = 10;
    private static final long MARK_PATIENCE_SECONDS = 6;
    private static final long DRAIN_CHECK_MILLIS = 500;
    static final long SEED_REFRESH_SECONDS = 5;
    private static final int DEFAULT_HTTP_PORT = 8181;
    private static final int DEFAULT_HTTPS_PORT = 8443;

    private Config config;
    private BundleContext bundleContext;
    private String nodeName;
    private String advertisedHost;
    private NodeFiles files;
    private DnsSeeds dnsSeeds;
    private Tokens tokens;
    /** On the CA's node: the names of the nodes it admitted, which no other node may take. */
    private NodeNames nodeNames;
    /** This node's key and certificate, presented and renewed. */
    private NodeIdentity identity;
    private volatile Authority authority;
    private JoinServer joinServer;
    /** Connecting blocks for a while when a node is alone: done here, never in a caller's thread. */
    private ScheduledExecutorService channelStarter;
    private volatile ClusterChannel channel;
    private NodeStates nodeStates;
    private ServiceRegistration<ClusterMessageHandler> nodeStatesRegistration;
    private ServiceRegistration<ClusterMessageHandler> crlRegistration;
    /** Why the join service is not running on a node that holds the CA, or null. */
    private String joinServerProblem;
    /** Tells, on a node being decommissioned, when its instances have all moved away. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ComponentController controller;
    /** Where the HTTP port is configured, for the revocation URLs in certificates. */
    @Reference
    private ConfigurationAdmin configurations;
    /** On the CA's node: the certificate authority at work for agents. */
    private ServiceRegistration<CertificateAuthority> certificateAuthority;
    private volatile CertificateManager certificateManager;
    private CrlSync crls;
    /** What this node presents on every channel (cluster, join service, REST and web console), and the management clients it accepts. */
    private final NodeTls managementTls = new NodeTls();
    private ServiceRegistration<ManagementTls> managementTlsRegistration;
    /** What this node's identity and certificate manager see of it: its membership, keys and CA. */
    private final AgentCertifier.Cluster thisNode = new AgentCertifier.Cluster() {
        @Override
        public NodeFiles.KeyEntry identity() {
            return identity.current();
        }

        @Override
        public Optional<NodeFiles.Membership> membership() {
            return files.membership();
        }

        @Override
        public CertificateManager ledger() {
            return certificateManager;
        }

        @Override
        public Authority authority() {
            return authority;
        }

        @Override
        public boolean isMember(String node) {
            synchronized (nodeNames) {
                return nodeNames.contains(node);
            }
        }

        @Override
        public String keyAlgorithm() {
            return ClusterNode.this.keyAlgorithm();
        }
    };
    /** This node's certificate manager for the agents it spawns. */
    private final AgentCertifier agents = new AgentCertifier(thisNode);
    private ServiceRegistration<AgentCertificates> agentsRegistration;
    private final Object drainWatchLock = new Object();
    private ScheduledFuture<?> drainWatch;
    /** DNS lookups may take seconds: never on the thread that connects and watches drains. */
    private ScheduledExecutorService seedLookups;

    @Activate
    synchronized void activate(Config configuration, BundleContext context) throws UnknownHostException {
        config = configuration;
        bundleContext = context;
        nodeName = configuration.nodeName().isBlank() ? defaultNodeName() : configuration.nodeName().trim();
        if (!nodeName.matches(NAME)) {
            throw new IllegalArgumentException("nodeName '" + nodeName + "' is not a name: letters, digits, '.', '_', '-'");
        }
        advertisedHost = configuration.advertisedHost().isBlank() ? InetAddress.getLocalHost().getHostAddress()
                : configuration.advertisedHost().trim();
        dnsSeeds = DnsSeeds.of(configuration.seedNames(), configuration.seedResolver(), configuration.clusterPort());
        files = new NodeFiles();
        tokens = new Tokens();
        nodeNames = new NodeNames();
        identity = new NodeIdentity(files, managementTls, nodeName, advertisedHost, thisNode, nodeValidity(), keyAlgorithm());
        authority = files.keyEntry(CA_KEYS).map(ca -> new Authority(ca.key(), ca.certificate())).orElse(null);
        channelStarter = Executors.newSingleThreadScheduledExecutor(Threads.named("plinth-cluster-channel"));
        crls = new CrlSync(() -> channel, () -> certificateManager, files, this::inBackground, managementTls::revocations);
        if (authority != null) {
            startCertificateAuthority(); // first: the join service records the certificates it issues there
            startJoinServer();
        }
        identity.start();
        Optional.ofNullable(crls.current()).ifPresent(managementTls::revocations);
        managementTlsRegistration = context.registerService(ManagementTls.class, managementTls, null);
        agentsRegistration = context.registerService(AgentCertificates.class, agents, null);
        nodeStates = new NodeStates(() -> channel == null ? null : channel.messaging(),
                !files.membership().map(NodeFiles.Membership::unavailable).orElse(false),
                files.membership().map(NodeFiles.Membership::draining).orElse(false), new StatesOwner());
        nodeStatesRegistration = context.registerService(ClusterMessageHandler.class, nodeStates,
                new java.util.Hashtable<>(java.util.Map.of(ClusterMessageHandler.TOPIC, NodeStates.TOPIC)));
        crlRegistration = context.registerService(ClusterMessageHandler.class, crls,
                new java.util.Hashtable<>(java.util.Map.of(ClusterMessageHandler.TOPIC, CrlSync.TOPIC)));
        files.membership().ifPresent(this::startChannel);
        seedLookups = Executors.newSingleThreadScheduledExecutor(Threads.named("plinth-cluster-seeds"));
        if (!dnsSeeds.isEmpty()) {
            seedLookups.scheduleWithFixedDelay(this::refreshSeeds, SEED_REFRESH_SECONDS, SEED_REFRESH_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Deactivate
    synchronized void deactivate() throws InterruptedException {
        // First, while the services stay up: a connect under way (seconds when the node is alone) finishes.
        seedLookups.shutdownNow();
        channelStarter.shutdownNow();
        channelStarter.awaitTermination(30, TimeUnit.SECONDS);
        managementTlsRegistration.unregister();
        agentsRegistration.unregister();
        identity.close(); // a renewal in flight writes nothing after this
        if (joinServer != null) { // before the CA: its thread may be serving a request with it
            joinServer.close();
            joinServer = null;
        }
        if (certificateAuthority != null) {
            certificateAuthority.unregister();
            certificateAuthority = null;
            certificateManager.close();
        }
        nodeStates.farewell(false);
        nodeStatesRegistration.unregister();
        crlRegistration.unregister();
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public List<ClusterMember> members() {
        ClusterChannel current = channel;
        return current == null ? List.of() : nodeStates.decorate(current.members());
    }

    @Override
    public ClusterMember markAvailable(String node, boolean available) {
        String target = nodeOrSelf(node);
        await(nodeStates.mark(target, available), "node " + target + " did not take the mark");
        return member(target);
    }

    @Override
    public ClusterMember decommission(String node) {
        String target = nodeOrSelf(node);
        boolean self = nodeStates.isSelf(target);
        ClusterMember member = member(target);
        if (member.state() == NodeState.DESTROYING) {
            return member;
        }
        if (members().stream().noneMatch(m -> !m.name().equals(target) && m.state() == NodeState.AVAILABLE)) {
            throw PlinthException.conflict("no other available node in the view could take the instances of node " + target);
        }
        if (self) {
            drainSelf();
        } else {
            await(nodeStates.decommission(target), "node " + target + " did not start its decommission");
        }
        return member(target);
    }

    private String nodeOrSelf(String node) {
        return node == null || node.isBlank() ? nodeName : node.trim();
    }

    private ClusterMember member(String node) {
        return members().stream().filter(m -> m.name().equals(node)).findFirst()
                .orElseThrow(() -> PlinthException.notFound("no node " + node + " in the cluster's view"));
    }

    /** Waits for another node's answer; its refusal is passed on as it is, silence as UNAVAILABLE. */
    private static void await(CompletionStage<Void> answer, String silence) {
        try {
            answer.toCompletableFuture().get(MARK_PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PlinthException refused) {
                throw refused;
            }
            throw new PlinthException(Reason.UNAVAILABLE, silence + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new PlinthException(Reason.UNAVAILABLE, silence + " within " + MARK_PATIENCE_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlinthException(Reason.UNAVAILABLE, silence + ": interrupted");
        }
    }

    /**
     * Starts this node's decommission: kept across restarts, the others hear it, and the
     * controller moves the instances away; once none is left here, the node retires.
     */
    private void drainSelf() {
        if (authority != null) {
            throw PlinthException.conflict("node " + nodeName + " holds the cluster CA and issues join tokens; it cannot be decommissioned");
        }
        synchronized (files) {
            files.membership().ifPresent(membership -> files.saveMembership(membership.beingDecommissioned()));
        }
        nodeStates.drainSelf();
        watchDrain();
    }

    /** Checks every half second, while this node is being decommissioned, whether it hosts instances still. */
    private void watchDrain() {
        synchronized (drainWatchLock) {
            if (drainWatch == null) {
                drainWatch = channelStarter.scheduleWithFixedDelay(this::retireWhenDrained, DRAIN_CHECK_MILLIS, DRAIN_CHECK_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private void retireWhenDrained() {
        ComponentController instances = controller;
        ClusterChannel current = channel;
        if (current == null || instances == null) {
            return; // the controller moves the instances away: without it, nothing is known to be drained
        }
        try {
            int left = instances.instancesOn(nodeName).size();
            if (left == 0) {
                retire(current);
            } else {
                LOG.debug("{} instances still to move away", left);
            }
        } catch (RuntimeException e) { // a failure must not end the periodic check
            LOG.info("Cannot tell whether this node still hosts instances, or cannot leave yet: {}", e.toString());
        }
    }

    /** Leaves the cluster for good: the others hear so, then the channel closes and the membership and keys are forgotten. */
    private void retire(ClusterChannel current) {
        String cluster = files.membership().map(NodeFiles.Membership::cluster).orElse("?");
        nodeStates.farewell(true);
        identity.forget(); // before the others see it gone: it is in no cluster from then on
        channel = null;
        current.close();
        nodeStates.retired();
        synchronized (drainWatchLock) {
            drainWatch.cancel(false);
            drainWatch = null;
        }
        LOG.info("Node {} is decommissioned: it left cluster {} for good and forgot its membership and keys", nodeName, cluster);
    }

    /** How node states reach this node's files, channel and CA. */
    private final class StatesOwner implements NodeStates.Owner {
        @Override
        public void keepOwnMark(boolean available) {
            synchronized (files) {
                files.membership().ifPresent(membership -> files.saveMembership(membership.withUnavailable(!available)));
            }
        }

        @Override
        public void marksChanged(NodeStates.Marks marks) {
            ClusterChannel current = channel;
            if (current != null) {
                current.marks(marks);
            }
        }

        @Override
        public void decommissionAsked() {
            drainSelf();
        }

        @Override
        public void destroyed(String node) {
            if (authority != null) {
                synchronized (nodeNames) {
                    nodeNames.remove(node);
                }
                inBackground(() -> certificateManager.revokeNode(node)); // its certificate is no key to the cluster now
            }
        }
    }

    @Override
    public ClusterInfo info() {
        Optional<NodeFiles.Membership> membership = files.membership();
        NodeFiles.KeyEntry keys = identity.current();
        if (membership.isEmpty() || keys == null) {
            return ClusterInfo.none(nodeName);
        }
        NodeFiles.Membership m = membership.get();
        X509Certificate certificate = keys.certificate();
        return new ClusterInfo(true, m.cluster(), m.node(), m.nodeId(), m.caFingerprint(),
                certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().toInstant());
    }

    @Override
    public synchronized ClusterInfo initialize(String clusterName) {
        if (clusterName == null || !clusterName.matches(CLUSTER_NAME)) {
            throw PlinthException.invalid("a cluster name is 1 to 63 lowercase letters, digits and '-', not '" + clusterName + "'");
        }
        refuseIfMember();
        Authority ca = Authority.create(clusterName, Duration.ofDays(config.caDays()));
        KeyPair node = Authority.newKeyPair(keyAlgorithm());
        String nodeId = Authority.newId();
        X509Certificate certificate = ca.certifyNode(node.getPublic(), nodeName, nodeId, advertisedHost, nodeValidity());
        files.saveKeyEntry(CA_KEYS, new NodeFiles.KeyEntry(ca.key(), new X509Certificate[] {ca.certificate()}));
        become(new NodeFiles.Membership(clusterName, nodeName, nodeId, Authority.fingerprint(ca.certificate()), null, List.of(), false, false),
                new NodeFiles.KeyEntry(node.getPrivate(), new X509Certificate[] {certificate, ca.certificate()}));
        authority = ca;
        nodeNames.add(nodeName);
        startCertificateAuthority();
        certificateManager.keep(certificate);
        startJoinServer();
        LOG.info("Initialized cluster {}: this node ({}) holds its CA, fingerprint {}", clusterName, nodeName,
                Authority.fingerprint(ca.certificate()));
        return info();
    }

    @Override
    public synchronized JoinToken issueToken(Duration ttl) {
        Duration lasts = ttl == null ? DEFAULT_TOKEN_TTL : ttl;
        if (lasts.compareTo(Duration.ofSeconds(1)) < 0 || lasts.compareTo(MAX_TOKEN_TTL) > 0) {
            throw PlinthException.invalid("a token lasts 1 s to 24 h, not " + lasts);
        }
        NodeFiles.Membership membership = files.membership()
                .orElseThrow(() -> PlinthException.conflict("this node is in no cluster: initialize one or join one first"));
        if (authority == null) {
            throw PlinthException.conflict("this node does not hold the CA of cluster " + membership.cluster()
                    + "; issue the token on the node that initialized it");
        }
        if (joinServer == null) {
            throw new PlinthException(Reason.UNAVAILABLE, "the join service is not running: " + joinServerProblem);
        }
        String seed = hostAndPort(advertisedHost, config.joinPort());
        Instant expires = Instant.now().plus(lasts);
        String token = tokens.issue(seed, membership.caFingerprint(), lasts);
        LOG.info("Issued a join token for cluster {}, valid until {}", membership.cluster(), expires);
        return new JoinToken(token, seed, expires);
    }

    @Override
    public synchronized ClusterInfo join(String token) {
        refuseIfMember();
        Tokens.Content content = Tokens.parse(token);
        KeyPair keys = Authority.newKeyPair(keyAlgorithm());
        JoinProtocol.Answer answer = JoinClient.join(content,
                new JoinProtocol.Request(token.trim(), Pem.of(Authority.request(keys, nodeName)), nodeName, advertisedHost));
        X509Certificate ca = Pem.certificate(answer.ca());
        X509Certificate certificate = Pem.certificate(answer.certificate());
        if (!Authority.fingerprint(ca).equals(content.ca())) {
            throw new PlinthException(Reason.DENIED, "the seed answered with a CA other than the one the token names");
        }
        try {
            Authority.verify(certificate, ca);
        } catch (GeneralSecurityException e) {
            throw new PlinthException(Reason.DENIED, "the certificate the seed sent is not valid under the cluster CA: " + e.getMessage());
        }
        if (!certificate.getPublicKey().equals(keys.getPublic())) {
            throw new PlinthException(Reason.FAILED, "the seed certified a key other than this node's");
        }
        become(new NodeFiles.Membership(answer.cluster(), nodeName, answer.nodeId(), content.ca(), content.seed(), answer.seeds(), false, false),
                new NodeFiles.KeyEntry(keys.getPrivate(), new X509Certificate[] {certificate, ca}));
        LOG.info("Joined cluster {} through {} as node {} ({})", answer.cluster(), content.seed(), nodeName, answer.nodeId());
        return info();
    }

    /** The seed's side of a join: checks the request, spends the token, and certifies the new node's key. */
    private JoinProtocol.Answer admit(JoinProtocol.Request request) {
        Authority ca = authority;
        if (request.node() == null || !request.node().matches(NAME) || request.host() == null || request.host().isBlank()) {
            throw PlinthException.invalid("a join request names the node (letters, digits, '.', '_', '-') and its address");
        }
        Tokens.Content content = Tokens.parse(request.token());
        if (!content.ca().equals(Authority.fingerprint(ca.certificate()))) {
            throw new PlinthException(Reason.DENIED, "this join token is for another cluster");
        }
        PublicKey key = Authority.provenKey(Pem.request(request.csr()));
        try {
            Authority.alternativeName(request.host());
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid(e.getMessage());
        }
        String nodeId = Authority.newId();
        X509Certificate certificate;
        // Only now, with the request checked (one merely malformed does not spend the token), and
        // nothing certified or recorded before the token is spent and the name free: a forged or
        // used token leaves no certificate behind.
        synchronized (nodeNames) {
            if (nodeNames.contains(request.node())) {
                throw new PlinthException(Reason.DENIED, "a node named " + request.node() + " is in the cluster already;"
                        + " give the new node another name (nodeName in etc/io.plinth.cluster.cfg)");
            }
            tokens.redeem(content);
            certificate = ca.certifyNode(key, request.node(), nodeId, request.host(), nodeValidity());
            certificateManager.keep(certificate); // so that it can be revoked
            nodeNames.add(request.node());
        }
        LOG.info("Node {} ({}) at {} joined cluster {}", request.node(), nodeId, request.host(), ca.cluster());
        return new JoinProtocol.Answer(ca.cluster(), nodeId, Pem.of(certificate), Pem.of(ca.certificate()), joinSeeds());
    }

    /**
     * Where a new node finds the cluster: this node and every member in its view. Not this node
     * alone: when nodes started together another may be the coordinator, and a node that knows
     * only this one never learns where to send its join.
     */
    private List<String> joinSeeds() {
        java.util.Set<String> seeds = new java.util.LinkedHashSet<>();
        seeds.add(hostAndPort(advertisedHost, config.clusterPort()));
        members().stream().filter(member -> !member.self() && member.address() != null) // in the view: those gone have none
                .forEach(member -> seeds.add(member.address()));
        return List.copyOf(seeds);
    }

    private void become(NodeFiles.Membership membership, NodeFiles.KeyEntry keys) {
        identity.become(keys);
        files.saveMembership(membership);
        startChannel(membership);
    }

    /** The CA node's side of a renewal (its own, or a member's through the join service). */
    private JoinProtocol.Certified grantRenewal(JoinProtocol.Renewal request) {
        Authority ca = authority;
        CertificateManager ledger = certificateManager;
        if (ca == null || ledger == null) {
            throw new PlinthException(Reason.UNAVAILABLE, "this node holds no CA");
        }
        return NodeRenewal.grant(request, ca, ledger, thisNode::isMember, nodeValidity());
    }

    /** Connects the cluster channel, in the background: a node alone waits a while for others. */
    private void startChannel(NodeFiles.Membership membership) {
        channelStarter.execute(() -> connect(membership.cluster()));
    }

    /** Connects through every seed known (learned, joined through, configured); tries again later when it cannot. */
    private void connect(String cluster) {
        try {
            NodeFiles.Membership membership = files.membership().orElseThrow();
            String host = config.clusterHost().isBlank() ? advertisedHost : config.clusterHost();
            NodeFiles.KeyEntry keys = identity.current();
            channel = new ClusterChannel(cluster, nodeName, new InetSocketAddress(InetAddress.getByName(host), config.clusterPort()),
                    seeds(membership), managementTls.keyManager(), keys.chain()[keys.chain().length - 1], bundleContext,
                    this::rememberSeeds, new NodeStates.Marks(
                            membership.unavailable() ? Set.of(nodeName) : Set.of(), membership.draining() ? Set.of(nodeName) : Set.of()),
                    crls.current());
            nodeStates.connected();
            crls.connected();
            if (membership.draining()) {
                watchDrain(); // decommissioned before this restart: goes on
            }
        } catch (Exception e) {
            LOG.error("Cannot connect to cluster {} on port {} ({}); trying again in {} s", cluster, config.clusterPort(), e,
                    RECONNECT_SECONDS);
            try {
                channelStarter.schedule(() -> connect(cluster), RECONNECT_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // the node is stopping
            }
        }
    }

    /** Where to look for the cluster: the seeds remembered, configured and found in DNS now (one that does not resolve is skipped). */
    private List<InetSocketAddress> seeds(NodeFiles.Membership membership) {
        List<String> named = new ArrayList<>(membership.seeds());
        for (String seed : config.seeds().split(",")) {
            if (!seed.isBlank()) {
                named.add(seed.trim());
            }
        }
        Set<InetSocketAddress> seeds = new LinkedHashSet<>();
        for (String seed : named) {
            try {
                seeds.add(ClusterChannel.address(seed));
            } catch (IllegalArgumentException e) {
                LOG.warn("Seed skipped: {}", e.getMessage());
            }
        }
        seeds.addAll(dnsSeeds.resolve());
        return List.copyOf(seeds);
    }

    /** Looks the DNS seeds up again: members that moved (or new ones) are found by the next discovery round. */
    private void refreshSeeds() {
        try {
            ClusterChannel current = channel;
            Optional<NodeFiles.Membership> membership = files.membership();
            if (current != null && membership.isPresent()) {
                current.seeds(seeds(membership.get()));
            }
        } catch (RuntimeException e) { // a failure must not end the periodic lookups
            LOG.warn("Could not refresh the cluster seeds: {}", e.toString());
        }
    }

    /** Keeps the other members' channels as seeds, so that a restarted node finds them without the CA's node. */
    private void rememberSeeds(List<String> others) {
        // Not this component's monitor: view threads must never wait for a deactivation that waits for them.
        synchronized (files) {
            rememberSeedsLocked(others);
        }
    }

    private void rememberSeedsLocked(List<String> others) {
        files.membership().ifPresent(membership -> {
            java.util.Set<String> seeds = new java.util.TreeSet<>(membership.seeds());
            if (seeds.addAll(others)) {
                files.saveMembership(membership.withSeeds(List.copyOf(seeds)));
            }
        });
    }

    private static String hostAndPort(String host, int port) {
        return new HostPort(host, port).toString();
    }

    private void refuseIfMember() {
        files.membership().ifPresent(m -> {
            throw PlinthException.conflict("this node is already node " + m.node() + " of cluster " + m.cluster());
        });
    }

    private void startJoinServer() {
        try {
            joinServer = new JoinServer(config.joinHost(), config.joinPort(), managementTls.keyManager(), java.util.Map.of(
                    JoinProtocol.PATH, new JoinServer.Route<>(JoinProtocol.Request.class, this::admit),
                    JoinProtocol.RENEW_PATH, new JoinServer.Route<>(JoinProtocol.Renewal.class, this::grantRenewal),
                    JoinProtocol.CERTIFY_PATH, new JoinServer.Route<>(JoinProtocol.Certify.class, agents::grantCertify),
                    JoinProtocol.REVOKE_PATH, new JoinServer.Route<>(JoinProtocol.Revoke.class, agents::grantRevoke)));
            joinServerProblem = null;
        } catch (Exception e) {
            joinServerProblem = e.toString();
            LOG.error("Cannot take join requests on {}:{}; no join token can be issued: {}", config.joinHost(), config.joinPort(), e.toString());
        }
    }

    private void startCertificateAuthority() {
        certificateManager = new CertificateManager(authority, revocationUrl(), crls::publish);
        NodeFiles.KeyEntry own = identity.current();
        if (own != null) {
            certificateManager.protect(own.certificate());
        }
        certificateAuthority = bundleContext.registerService(CertificateAuthority.class, certificateManager, null);
    }

    /** Runs a task on the channel's thread, unless the node is stopping. */
    private void inBackground(Runnable task) {
        try {
            channelStarter.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            LOG.debug("The cluster component is stopping: a background task was dropped");
        }
    }

    /**
     * Where this node's REST API publishes revocation: pkiUrl, else this node's address with the
     * plain HTTP port when an admin enabled it (CRL and OCSP clients prefer plain HTTP), else the HTTPS port.
     */
    private String revocationUrl() {
        if (!config.pkiUrl().isBlank()) {
            return config.pkiUrl().trim().replaceAll("/+$", "");
        }
        java.util.Dictionary<String, Object> web = null;
        try {
            Configuration[] found = configurations.listConfigurations("(service.pid=org.ops4j.pax.web)");
            web = found == null ? null : found[0].getProperties();
        } catch (IOException | InvalidSyntaxException e) {
            LOG.warn("Cannot read the web server's configuration ({}); certificates name its default ports for revocation", e.toString());
        }
        boolean plain = web != null && Boolean.parseBoolean(String.valueOf(web.get("org.osgi.service.http.enabled")).trim());
        String portKey = plain ? "org.osgi.service.http.port" : "org.osgi.service.http.port.secure";
        int port = plain ? DEFAULT_HTTP_PORT : DEFAULT_HTTPS_PORT;
        try {
            port = web == null || web.get(portKey) == null ? port : Integer.parseInt(web.get(portKey).toString().trim());
        } catch (NumberFormatException e) {
            LOG.warn("{} is no port number; certificates name port {} for revocation", portKey, port);
        }
        return (plain ? "http://" : "https://") + new HostPort(advertisedHost, port) + "/plinth/api/v1/pki";
    }

    /** The Karaf instance's name, which the hub shows as its members' node, unless it is Karaf's default; else the host name. */
    private static String defaultNodeName() throws UnknownHostException {
        String karafName = System.getProperty("karaf.name", "");
        return karafName.isBlank() || "root".equals(karafName) ? InetAddress.getLocalHost().getHostName() : karafName;
    }

    /** The configured key algorithm; EC for anything else than RSA (with a warning). */
    private String keyAlgorithm() {
        String algorithm = config.keyAlgorithm().trim().toUpperCase(java.util.Locale.ROOT);
        if (!algorithm.equals("EC") && !algorithm.equals("RSA")) {
            LOG.warn("keyAlgorithm is EC or RSA, not {}: using EC", config.keyAlgorithm());
            return "EC";
        }
        return algorithm;
    }

    private Duration nodeValidity() {
        return Duration.ofMinutes(Math.max(1, config.certificateMinutes()));
    }
}
