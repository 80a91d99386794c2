package io.plinth.impl.cluster;

import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.support.Codec;

import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.blocks.MessageDispatcher;
import org.jgroups.blocks.RequestHandler;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.blocks.Response;
import org.jgroups.util.NameCache;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterMessaging} on the cluster channel, through a JGroups {@link MessageDispatcher}
 * answering asynchronously. On the wire: a request is {@code [1][topic][payload]}, an answer
 * {@code [0][bytes]} or {@code [1][error message]}; strings are length-prefixed UTF-8 (our own
 * encoding, never Java serialization).
 */
final class Messaging implements ClusterMessaging, RequestHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Messaging.class);
    private static final byte FORMAT = 1;
    private static final byte ANSWERED = 0;
    private static final byte FAILED = 1;

    private final JChannel channel;
    private final MessageDispatcher dispatcher;
    private final ServiceTracker<ClusterMessageHandler, ClusterMessageHandler> handlers;
    private final Map<String, ClusterMessageHandler> byTopic = new ConcurrentHashMap<>();

    Messaging(JChannel channel, BundleContext context, org.jgroups.Receiver views) {
        this.channel = channel;
        this.handlers = new ServiceTracker<>(context, ClusterMessageHandler.class, null) {
            @Override
            public ClusterMessageHandler addingService(ServiceReference<ClusterMessageHandler> reference) {
                ClusterMessageHandler handler = super.addingService(reference);
                Object topic = reference.getProperty(ClusterMessageHandler.TOPIC);
                if (topic instanceof String name) {
                    byTopic.put(name, handler);
                    handler.nodesChanged(otherNodes());
                }
                return handler;
            }

            @Override
            public void removedService(ServiceReference<ClusterMessageHandler> reference, ClusterMessageHandler handler) {
                byTopic.values().remove(handler);
                super.removedService(reference, handler);
            }
        };
        this.dispatcher = new MessageDispatcher(channel, this).asyncDispatching(true).setReceiver(views);
        handlers.open();
    }

    /**
     * Called for every view: the handlers hear which nodes are there now; the node states first,
     * so that the others can already tell a node that failed from one that left.
     */
    void viewAccepted(View view) {
        Set<String> others = otherNodes(view);
        ClusterMessageHandler states = byTopic.get(NodeStates.TOPIC);
        if (states != null) {
            states.nodesChanged(others);
        }
        byTopic.values().stream().filter(handler -> handler != states).forEach(handler -> handler.nodesChanged(others));
    }

    @Override
    public String localNode() {
        return channel.getName();
    }

    @Override
    public Set<String> otherNodes() {
        View view = channel.getView();
        return view == null ? Set.of() : otherNodes(view);
    }

    /** A member's node name; its address while JGroups has not learnt the name yet (never null). */
    static String nameOf(Address member) {
        String name = NameCache.get(member);
        return name != null ? name : String.valueOf(member);
    }

    @Override
    public Set<String> failedNodes() {
        return byTopic.get(NodeStates.TOPIC) instanceof NodeStates states ? states.failed() : Set.of();
    }

    @Override
    public Set<String> destroyedNodes() {
        return byTopic.get(NodeStates.TOPIC) instanceof NodeStates states ? states.destroyed() : Set.of();
    }

    private Set<String> otherNodes(View view) {
        return view.getMembers().stream().filter(a -> !a.equals(channel.getAddress())).map(Messaging::nameOf).collect(Collectors.toSet());
    }

    @Override
    public CompletionStage<byte[]> request(String node, String topic, byte[] payload, Duration timeout) {
        Address destination = address(node);
        if (destination == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("node " + node + " is not in the cluster's view"));
        }
        try {
            CompletableFuture<byte[]> answer = dispatcher.sendMessageWithFuture(new BytesMessage(destination, encode(topic, payload)),
                    RequestOptions.SYNC().timeout(Math.max(1, timeout.toMillis())));
            return answer.thenApply(Messaging::decodeAnswer);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void send(String node, String topic, byte[] payload) {
        Address destination = address(node);
        if (destination == null) {
            return;
        }
        try {
            dispatcher.sendMessage(new BytesMessage(destination, encode(topic, payload)), RequestOptions.ASYNC());
        } catch (Exception e) {
            LOG.debug("Cannot send to node {} on topic {}: {}", node, topic, e.toString());
        }
    }

    @Override
    public void broadcast(String topic, byte[] payload) {
        try {
            dispatcher.castMessage(null, new BytesMessage(null, encode(topic, payload)),
                    RequestOptions.ASYNC().transientFlags(Message.TransientFlag.DONT_LOOPBACK));
        } catch (Exception e) {
            LOG.warn("Cannot broadcast on topic {}: {}", topic, e.toString());
        }
    }

    @Override
    public Object handle(Message message) {
        throw new UnsupportedOperationException("answers are sent asynchronously");
    }

    @Override
    public void handle(Message message, Response response) {
        String from = nameOf(message.getSrc());
        CompletionStage<byte[]> answer;
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(message.getArray(), message.getOffset(), message.getLength()))) {
            if (in.readByte() != FORMAT) {
                throw new IOException("unknown message format");
            }
            String topic = Codec.readString(in);
            byte[] payload = in.readAllBytes();
            ClusterMessageHandler handler = byTopic.get(topic);
            answer = handler == null
                    ? CompletableFuture.failedFuture(new IllegalStateException("no handler for topic " + topic + " on " + localNode()))
                    : handler.message(from, payload);
        } catch (IOException | RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        if (response != null) {
            answer.whenComplete((bytes, failure) -> response.send(encodeAnswer(bytes, failure), false));
        }
    }

    @Override
    public void close() {
        handlers.close();
        dispatcher.stop();
    }

    private Address address(String node) {
        View view = channel.getView();
        return view == null ? null : view.getMembers().stream().filter(a -> node.equals(nameOf(a))).findFirst().orElse(null);
    }

    private static byte[] encode(String topic, byte[] payload) {
        return Codec.write(out -> {
            out.writeByte(FORMAT);
            Codec.writeString(out, topic);
            out.write(payload);
        });
    }

    private static byte[] encodeAnswer(byte[] answer, Throwable failure) {
        return Codec.write(out -> {
            if (failure == null) {
                out.writeByte(ANSWERED);
                out.write(answer == null ? new byte[0] : answer);
            } else {
                out.writeByte(FAILED);
                Codec.writeString(out, String.valueOf(failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : failure));
            }
        });
    }

    private static byte[] decodeAnswer(byte[] answer) {
        if (answer == null || answer.length == 0) {
            throw new IllegalStateException("the other node answered nothing");
        }
        if (answer[0] == ANSWERED) {
            return Arrays.copyOfRange(answer, 1, answer.length);
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(answer, 1, answer.length - 1))) {
            throw new IllegalStateException("the other node failed: " + Codec.readString(in));
        } catch (IOException e) {
            throw new IllegalStateException("the other node's answer is damaged", e);
        }
    }
}
