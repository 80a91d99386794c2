package io.plinth.impl.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.api.cluster.NodeState;
import io.plinth.support.HostPort;

import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.util.TLS;
import org.jgroups.util.TLSClientAuth;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster channel: JGroups over TCP with TLS 1.3 both ways. A node presents its certificate
 * and accepts a peer only with a certificate of the cluster CA, so a node of another CA never
 * gets into the view, however it is configured. No plaintext side port: no FD_SOCK2 (failure
 * detection is FD_ALL3 heartbeats over the channel) and no diagnostics listener. Discovery is
 * TCPPING from the seeds; MERGE3 joins partitions again after a network split or a restart.
 */
final class ClusterChannel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterChannel.class);
    /** Heartbeats every 500 ms; a member silent for 2 s is suspected, then verified for 500 ms: gone within 3 s. */
    private static final long HEARTBEAT_MILLIS = 500;
    private static final long SUSPECT_AFTER_MILLIS = 2_000;
    private static final long VERIFY_MILLIS = 500;
    /** Connecting plus the TLS handshake with a node that left the view give up after this: shorter than the others' failure detector waits for us. */
    private static final long HANDSHAKE_MILLIS = 1_500;

    private final JChannel channel;
    private final InetSocketAddress bind;
    private final TCPPING discovery;
    private final HandshakeDeadline handshakes;
    private RevocationTrust trust;
    private final Messaging messaging;
    private final ServiceRegistration<ClusterMessaging> registration;

    ClusterChannel(String cluster, String nodeName, InetSocketAddress bind, List<InetSocketAddress> seeds,
                   X509ExtendedKeyManager keys, X509Certificate ca, BundleContext context, Consumer<List<String>> othersSeen,
                   NodeStates.Marks marks, X509CRL crl) throws Exception {
        TCP transport = new TCP().setBindAddress(bind.getAddress()).setBindPort(bind.getPort()).setPortRange(0);
        transport.disableDiagnostics();
        // Our own factory from JGroups' TLS one, so TLS stays off in the transport (it would replace the factory).
        TLS tls = new TLS().enabled(true).setProtocols(new String[] {"TLSv1.3"}).setClientAuth(TLSClientAuth.NEED)
                .setSSLContext(mutualTls(keys, ca, crl));
        handshakes = new HandshakeDeadline(tls.createSocketFactory(), HANDSHAKE_MILLIS);
        transport.setSocketFactory(handshakes);
        this.bind = bind;
        discovery = new TCPPING().initialHosts(hosts(seeds)).setPortRange(0);
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(JChannel.class.getClassLoader()); // JGroups finds its protocol maps through it
        JChannel built = null;
        Messaging dispatcher = null;
        try {
            built = new JChannel(transport,
                    discovery,
                    new MERGE3().setMinInterval(1_000).setMaxInterval(3_000),
                    new FD_ALL3().setInterval(HEARTBEAT_MILLIS).setTimeout(SUSPECT_AFTER_MILLIS),
                    new VERIFY_SUSPECT2().setTimeout(VERIFY_MILLIS),
                    new NAKACK2(), new UNICAST3(), new STABLE(),
                    new GMS().setJoinTimeout(2_000),
                    new UFC(), new MFC(), new FRAG4()).name(nodeName);
            Views views = new Views(cluster, built, othersSeen, handshakes);
            dispatcher = new Messaging(built, context, views);
            views.messaging = dispatcher;
            built.connect(cluster);
        } catch (Exception e) {
            if (dispatcher != null) {
                dispatcher.close();
            }
            if (built != null) {
                built.close();
            }
            handshakes.close();
            throw e;
        } finally {
            current.setContextClassLoader(previous);
        }
        channel = built;
        messaging = dispatcher;
        registration = context.registerService(ClusterMessaging.class, messaging, properties(marks));
    }

    /** Where discovery looks for the cluster from now on (this node's own channel among them, as JGroups wants). */
    void seeds(List<InetSocketAddress> seeds) {
        discovery.setInitialHosts(hosts(seeds));
    }

    private List<InetSocketAddress> hosts(List<InetSocketAddress> seeds) {
        List<InetSocketAddress> hosts = new ArrayList<>(seeds);
        hosts.add(bind);
        return hosts;
    }

    Messaging messaging() {
        return messaging;
    }

    /** Tells the messaging service's users which nodes are marked unavailable, and which are being decommissioned, now. */
    void marks(NodeStates.Marks marks) {
        registration.setProperties(properties(marks));
    }

    private static java.util.Dictionary<String, Object> properties(NodeStates.Marks marks) {
        java.util.Hashtable<String, Object> properties = new java.util.Hashtable<>();
        properties.put(ClusterMessaging.UNAVAILABLE_NODES, marks.unavailable().toArray(String[]::new));
        properties.put(ClusterMessaging.DRAINING_NODES, marks.draining().toArray(String[]::new));
        return properties;
    }

    /** Every view, in order: logged, passed on to the platform's message handlers, and its members remembered as seeds. */
    private static final class Views implements Receiver {
        private final String cluster;
        private final JChannel channel;
        private final Consumer<List<String>> othersSeen;
        private final HandshakeDeadline handshakes;
        private volatile Messaging messaging;

        Views(String cluster, JChannel channel, Consumer<List<String>> othersSeen, HandshakeDeadline handshakes) {
            this.cluster = cluster;
            this.channel = channel;
            this.othersSeen = othersSeen;
            this.handshakes = handshakes;
        }

        @Override
        public void viewAccepted(View view) {
            LOG.info("Cluster {} view {}: {}", cluster, view.getViewId().getId(), names(view.getMembers()));
            List<String> others = members(channel).stream().filter(m -> !m.self() && m.address() != null).map(ClusterMember::address).toList();
            handshakes.viewIs(Set.copyOf(others));
            messaging.viewAccepted(view);
            othersSeen.accept(others);
        }
    }

    List<ClusterMember> members() {
        return members(channel);
    }

    private static List<ClusterMember> members(JChannel channel) {
        View view = channel.getView();
        if (view == null) {
            return List.of();
        }
        List<ClusterMember> members = new ArrayList<>();
        for (Address member : view.getMembers()) {
            Object physical = channel.down(new Event(Event.GET_PHYSICAL_ADDRESS, member));
            members.add(new ClusterMember(Messaging.nameOf(member), physical instanceof PhysicalAddress p ? p.printIpAddress() : null,
                    member.equals(view.getCoord()), member.equals(channel.getAddress()), NodeState.AVAILABLE));
        }
        return members;
    }

    @Override
    public void close() {
        registration.unregister();
        messaging.close();
        channel.close();
        handshakes.close();
    }

    private static List<String> names(List<Address> members) {
        return members.stream().map(Messaging::nameOf).toList();
    }

    /**
     * Takes the CA's latest CRL: peers it revokes are refused, cut off if connected, and suspected
     * at once, so the view drops them (a peer that can no longer connect could otherwise hold this
     * node's sender in handshakes for a long while: those get the short deadline). Answers whether
     * the CRL was taken.
     */
    boolean revocations(X509CRL crl) {
        Set<String> revokedNodes = trust.update(crl);
        if (revokedNodes == null) {
            return false;
        }
        View view = channel == null ? null : channel.getView();
        if (view != null && !revokedNodes.isEmpty()) {
            List<Address> revoked = view.getMembers().stream().filter(member -> revokedNodes.contains(Messaging.nameOf(member))).toList();
            members(channel).stream().filter(member -> revokedNodes.contains(member.name()) && member.address() != null)
                    .forEach(member -> handshakes.shutOut(member.address()));
            if (!revoked.isEmpty()) {
                LOG.warn("Nodes {} hold revoked certificates: they leave the view", names(revoked));
                channel.getProtocolStack().findProtocol(GMS.class).up(new Event(Event.SUSPECT, revoked));
            }
        }
        return true;
    }

    /**
     * This node's key and certificate for both ends of every connection — the current ones at each
     * handshake, so a renewed certificate needs no new channel; only the cluster CA trusted, and
     * only certificates its CRL does not revoke.
     */
    private SSLContext mutualTls(X509ExtendedKeyManager keys, X509Certificate ca, X509CRL crl) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("cluster-ca", ca);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trusted);
        trust = new RevocationTrust((X509ExtendedTrustManager) trustManagers.getTrustManagers()[0], ca, crl);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
        // A resumed session skips the certificate checks, so a revoked node could come back on an
        // old ticket: sessions older than a second are not resumed. Connections are long-lived.
        tls.getServerSessionContext().setSessionTimeout(1);
        tls.getClientSessionContext().setSessionTimeout(1);
        return tls;
    }

    /** A seed's {@code host:port}, resolved. */
    static InetSocketAddress address(String hostAndPort) {
        HostPort seed = HostPort.parse(hostAndPort);
        try {
            return new InetSocketAddress(InetAddress.getByName(seed.host()), seed.port());
        } catch (IOException e) {
            throw new IllegalArgumentException("the seed " + hostAndPort + " cannot be resolved: " + e.getMessage(), e);
        }
    }
}
