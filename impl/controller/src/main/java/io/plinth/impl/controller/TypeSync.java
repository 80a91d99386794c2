package io.plinth.impl.controller;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.api.component.ComponentKind;
import io.plinth.api.component.ComponentType;
import io.plinth.support.Codec;
import io.plinth.support.Threads;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Component types across the cluster. A type is immutable (an exact code version), so every node
 * can simply hold all of them: a type registered on one node is sent to the others, which
 * register it too (installing its code), and a node that joins the view gets every type the
 * others have. Unregistering is sent as well; a node that still runs instances of the type keeps
 * it. Each node keeps its types in its own persisted state, so a whole-cluster restart brings
 * them back.
 */
final class TypeSync implements ClusterMessageHandler, AutoCloseable {

    static final String TOPIC = "plinth.controller.types";
    private static final Logger LOG = LoggerFactory.getLogger(TypeSync.class);
    private static final byte VERSION = 1;
    private static final byte REGISTERED = 0;
    private static final byte UNREGISTERED = 1;

    private final Supplier<List<ComponentType>> types;
    private final Consumer<ComponentType> adopt;
    private final Consumer<ComponentType> drop;
    private final ServiceTracker<ClusterMessaging, ClusterMessaging> tracker;
    private final ServiceRegistration<ClusterMessageHandler> registration;
    /** Installing a type's code takes a while: never on the cluster's threads. */
    private final ExecutorService applier = Executors.newSingleThreadExecutor(Threads.named("plinth-controller-types"));
    private volatile ClusterMessaging messaging;
    private volatile Set<String> knownNodes = Set.of();

    TypeSync(BundleContext context, Supplier<List<ComponentType>> types, Consumer<ComponentType> adopt, Consumer<ComponentType> drop) {
        this.types = types;
        this.adopt = adopt;
        this.drop = drop;
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ClusterMessageHandler.TOPIC, TOPIC);
        this.registration = context.registerService(ClusterMessageHandler.class, this, properties);
        this.tracker = new ServiceTracker<>(context, ClusterMessaging.class, null) {
            @Override
            public ClusterMessaging addingService(ServiceReference<ClusterMessaging> reference) {
                ClusterMessaging added = super.addingService(reference);
                messaging = added;
                send(REGISTERED, types.get()); // the others learn this node's types
                return added;
            }

            @Override
            public void removedService(ServiceReference<ClusterMessaging> reference, ClusterMessaging removed) {
                messaging = null;
                super.removedService(reference, removed);
            }
        };
        tracker.open();
    }

    void registered(ComponentType type) {
        send(REGISTERED, List.of(type));
    }

    void unregistered(ComponentType type) {
        send(UNREGISTERED, List.of(type));
    }

    @Override
    public CompletionStage<byte[]> message(String fromNode, byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            if (in.readByte() != VERSION) {
                throw new IOException("unknown version");
            }
            boolean registered = in.readByte() == REGISTERED;
            List<ComponentType> received = new ArrayList<>();
            int count = Codec.readSize(in);
            for (int i = 0; i < count; i++) {
                received.add(new ComponentType(Codec.readString(in), Codec.readString(in), ComponentKind.valueOf(Codec.readString(in)),
                        Codec.readString(in), Codec.readString(in), Codec.readStrings(in)));
            }
            applier.execute(() -> received.forEach(type -> apply(fromNode, registered, type)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Dropped the types sent by node {}: {}", fromNode, e.toString());
        }
        return CompletableFuture.completedFuture(new byte[0]);
    }

    @Override
    public void nodesChanged(Set<String> otherNodes) {
        boolean newcomer = otherNodes.stream().anyMatch(node -> !knownNodes.contains(node));
        knownNodes = Set.copyOf(otherNodes);
        if (newcomer) {
            send(REGISTERED, types.get());
        }
    }

    private void apply(String fromNode, boolean registered, ComponentType type) {
        try {
            if (registered) {
                adopt.accept(type);
            } else {
                drop.accept(type);
            }
        } catch (RuntimeException e) {
            LOG.warn("Type {} {} by node {} is not taken here: {}", type.key(), registered ? "registered" : "unregistered",
                    fromNode, e.getMessage());
        }
    }

    private void send(byte what, List<ComponentType> sent) {
        ClusterMessaging channel = messaging;
        if (channel == null || sent.isEmpty()) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(what);
            out.writeInt(sent.size());
            for (ComponentType type : sent) {
                Codec.writeString(out, type.name());
                Codec.writeString(out, type.version());
                Codec.writeString(out, type.kind().name());
                Codec.writeString(out, type.artifact());
                Codec.writeString(out, type.component());
                Codec.writeStrings(out, type.defaults());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        channel.broadcast(TOPIC, bytes.toByteArray());
    }

    @Override
    public void close() {
        registration.unregister();
        tracker.close();
        applier.shutdownNow();
        try {
            applier.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
