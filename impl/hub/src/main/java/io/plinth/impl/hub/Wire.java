package io.plinth.impl.hub;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Selector;
import io.plinth.api.hub.Target;
import io.plinth.support.Codec;

/**
 * How the hub's messages between nodes are written: a call to an instance on another node, its
 * reply, and a node's soft state. Our own encoding (see {@link Codec}), one version byte first.
 */
final class Wire {

    /** One instance of another node as its node publishes it. */
    record RemoteInstance(String instanceId, String type, String version, Set<String> groups, Map<String, String> attributes) {
    }

    /**
     * A node's soft state: its instances with their groups and attributes. {@code incarnation}
     * changes when its hub starts, {@code sequence} grows with each publication.
     */
    record NodeState(String node, long incarnation, long sequence, boolean wantsReplies, List<RemoteInstance> instances) {
        boolean newerThan(NodeState other) {
            return other == null || incarnation != other.incarnation || sequence > other.sequence;
        }
    }

    /** A request for one instance. */
    record Call(String instanceId, Request request) {
    }

    private static final byte VERSION = 1;

    private Wire() {
    }

    static byte[] call(String instanceId, Request request) {
        return write(out -> {
            Codec.writeString(out, instanceId);
            Codec.writeString(out, request.correlation());
            Codec.writeString(out, request.target().kind().name());
            Codec.writeString(out, request.target().name());
            Codec.writeString(out, request.selector().kind().name());
            Codec.writeString(out, request.selector().attribute());
            Codec.writeString(out, request.object());
            Codec.writeString(out, request.operation());
            Codec.writeStrings(out, request.inputs());
            Codec.writeByteArrays(out, request.attachments());
            out.writeLong(request.expiry().toEpochMilli());
            Codec.writeString(out, request.caller());
        });
    }

    static Call call(byte[] bytes) throws IOException {
        DataInputStream in = read(bytes);
        String instanceId = Codec.readString(in);
        String correlation = Codec.readString(in);
        Target target = new Target(Target.Kind.valueOf(Codec.readString(in)), Codec.readString(in));
        Selector selector = new Selector(Selector.Kind.valueOf(Codec.readString(in)), Codec.readString(in));
        String object = Codec.readString(in);
        String operation = Codec.readString(in);
        Map<String, String> inputs = Codec.readStrings(in);
        Map<String, byte[]> attachments = Codec.readByteArrays(in);
        Instant expiry = Instant.ofEpochMilli(in.readLong());
        String caller = Codec.readString(in);
        return new Call(instanceId, new Request(correlation, target, selector, object, operation, inputs, attachments, expiry, caller));
    }

    static byte[] reply(Reply reply) {
        return write(out -> {
            Codec.writeString(out, reply.correlation());
            Codec.writeString(out, reply.instanceId());
            Codec.writeStrings(out, reply.outputs());
            Codec.writeByteArrays(out, reply.attachments());
            Codec.writeString(out, reply.error());
        });
    }

    static Reply reply(byte[] bytes) {
        try {
            DataInputStream in = read(bytes);
            return new Reply(Codec.readString(in), Codec.readString(in), Codec.readStrings(in), Codec.readByteArrays(in),
                    Codec.readString(in));
        } catch (IOException e) {
            return Reply.error("the reply from the other node is damaged: " + e.getMessage());
        }
    }

    static byte[] state(NodeState state) {
        return write(out -> {
            Codec.writeString(out, state.node());
            out.writeLong(state.incarnation());
            out.writeLong(state.sequence());
            out.writeBoolean(state.wantsReplies());
            out.writeInt(state.instances().size());
            for (RemoteInstance instance : state.instances()) {
                Codec.writeString(out, instance.instanceId());
                Codec.writeString(out, instance.type());
                Codec.writeString(out, instance.version());
                out.writeInt(instance.groups().size());
                for (String group : instance.groups()) {
                    Codec.writeString(out, group);
                }
                Codec.writeStrings(out, instance.attributes());
            }
        });
    }

    static NodeState state(byte[] bytes) throws IOException {
        DataInputStream in = read(bytes);
        String node = Codec.readString(in);
        long incarnation = in.readLong();
        long sequence = in.readLong();
        boolean wantsReplies = in.readBoolean();
        int count = Codec.readSize(in);
        List<RemoteInstance> instances = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = Codec.readString(in);
            String type = Codec.readString(in);
            String version = Codec.readString(in);
            int groupCount = Codec.readSize(in);
            Set<String> groups = new LinkedHashSet<>();
            for (int g = 0; g < groupCount; g++) {
                groups.add(Codec.readString(in));
            }
            instances.add(new RemoteInstance(id, type, version, groups, Codec.readStrings(in)));
        }
        return new NodeState(node, incarnation, sequence, wantsReplies, instances);
    }

    /** A message: the version byte, then what the writer writes. */
    private static byte[] write(Codec.Writer writer) {
        return Codec.write(out -> {
            out.writeByte(VERSION);
            writer.write(out);
        });
    }

    private static DataInputStream read(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (in.readByte() != VERSION) {
            throw new IOException("a hub message of an unknown version");
        }
        return in;
    }
}
