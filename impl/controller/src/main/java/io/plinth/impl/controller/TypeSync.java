package io.plinth.impl.controller;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.api.component.ComponentKind;
import io.plinth.api.component.ComponentType;
import io.plinth.support.Codec;
import io.plinth.support.MessagingTracker;
import io.plinth.support.Threads;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Component types across the cluster. A type is immutable (an exact code version), so every node
 * can simply hold all of them: a type registered on one node is sent to the others, which
 * register it too (installing its code); unregistering is sent as well, and a node that still
 * runs instances of the type keeps it. A node that connects (it joined, restarted, or its
 * controller was replaced), or that sees new nodes in its view (partitions merged), asks them
 * for their types and adopts the answers; only the one that asked takes them, so a type
 * unregistered meanwhile is not brought back to the nodes that dropped it. Each node keeps its
 * types in its own persisted state, so a whole-cluster restart brings them back.
 */
final class TypeSync implements ClusterMessageHandler, AutoCloseable {

    static final String TOPIC = "plinth.controller.types";
    private static final Logger LOG = LoggerFactory.getLogger(TypeSync.class);
    private static final byte VERSION = 1;
    private static final byte REGISTERED = 0;
    private static final byte UNREGISTERED = 1;
    /** A request for every type of the node asked; the answer lists them. */
    private static final byte ASKING = 2;
    private static final Duration ANSWER_PATIENCE = Duration.ofSeconds(10);

    /** A decoded message: what happened, to which types. */
    private record Message(byte what, List<ComponentType> types) {
    }

    private final Supplier<List<ComponentType>> types;
    private final Consumer<ComponentType> adopt;
    private final Consumer<ComponentType> drop;
    private final MessagingTracker link;
    private final ServiceRegistration<ClusterMessageHandler> registration;
    /** Installing a type's code takes a while: never on the cluster's threads. */
    private final ExecutorService applier = Executors.newSingleThreadExecutor(Threads.named("plinth-controller-types"));
    private volatile Set<String> knownNodes = Set.of();

    TypeSync(BundleContext context, Supplier<List<ComponentType>> types, Consumer<ComponentType> adopt, Consumer<ComponentType> drop) {
        this.types = types;
        this.adopt = adopt;
        this.drop = drop;
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ClusterMessageHandler.TOPIC, TOPIC);
        this.link = new MessagingTracker(context, added -> ask(added, added.otherNodes()));
        this.registration = context.registerService(ClusterMessageHandler.class, this, properties);
        link.open();
    }

    void registered(ComponentType type) {
        broadcast(REGISTERED, type);
    }

    void unregistered(ComponentType type) {
        broadcast(UNREGISTERED, type);
    }

    @Override
    public CompletionStage<byte[]> message(String fromNode, byte[] payload) {
        try {
            Message message = decode(payload);
            if (message.what() == ASKING) {
                return CompletableFuture.completedFuture(encode(REGISTERED, types.get())); // answered, even while connecting
            }
            boolean registered = message.what() == REGISTERED;
            applier.execute(() -> message.types().forEach(type -> apply(fromNode, registered, type)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Dropped the types sent by node {}: {}", fromNode, e.toString());
        }
        return CompletableFuture.completedFuture(new byte[0]);
    }

    /**
     * New nodes in the view (one joined, or two partitions merged): tell them our types and ask
     * for theirs (a node that was frozen may see no change in its view, so it would not ask).
     */
    @Override
    public void nodesChanged(Set<String> otherNodes) {
        Set<String> newcomers = new java.util.TreeSet<>(otherNodes);
        newcomers.removeAll(knownNodes);
        knownNodes = Set.copyOf(otherNodes);
        ClusterMessaging channel = link.messaging();
        if (channel != null && !newcomers.isEmpty()) {
            applier.execute(() -> { // off the channel's view thread: sending may wait for flow control
                byte[] ours = encode(REGISTERED, types.get());
                newcomers.forEach(node -> channel.send(node, TOPIC, ours));
            });
            ask(channel, newcomers);
        }
    }

    /** Asks each node for every type it has, and adopts them: how a node catches up after joining or restarting. */
    private void ask(ClusterMessaging channel, Set<String> nodes) {
        byte[] question = encode(ASKING, List.of());
        for (String node : nodes) {
            channel.request(node, TOPIC, question, ANSWER_PATIENCE).whenComplete((answer, failure) -> {
                if (failure != null) {
                    LOG.info("Node {} did not say which types it has: {}", node, failure.toString());
                    return;
                }
                try {
                    List<ComponentType> theirs = decode(answer).types();
                    applier.execute(() -> theirs.forEach(type -> apply(node, true, type)));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Dropped the types of node {}: {}", node, e.toString());
                }
            });
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

    private void broadcast(byte what, ComponentType type) {
        ClusterMessaging channel = link.messaging();
        if (channel != null) {
            channel.broadcast(TOPIC, encode(what, List.of(type)));
        }
    }

    private static byte[] encode(byte what, List<ComponentType> sent) {
        return Codec.write(out -> {
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
        });
    }

    private static Message decode(byte[] payload) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            if (in.readByte() != VERSION) {
                throw new IOException("unknown version");
            }
            byte what = in.readByte();
            List<ComponentType> received = new ArrayList<>();
            int count = Codec.readSize(in);
            for (int i = 0; i < count; i++) {
                received.add(new ComponentType(Codec.readString(in), Codec.readString(in), ComponentKind.valueOf(Codec.readString(in)),
                        Codec.readString(in), Codec.readString(in), Codec.readStrings(in)));
            }
            return new Message(what, received);
        }
    }

    @Override
    public void close() {
        registration.unregister();
        link.close();
        applier.shutdownNow();
        try {
            applier.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
