package io.plinth.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pieces of the platform's own wire encoding: length-prefixed UTF-8 strings, byte arrays and
 * maps of them, read from a whole message in memory. Lengths and counts are checked against what
 * the message holds, so a damaged or hostile message cannot make a node allocate more than its
 * own size; never Java serialization.
 */
public final class Codec {

    /** No single string, byte array or map in a platform message is larger. */
    public static final int MAX_LENGTH = 16 * 1024 * 1024;

    private Codec() {
    }

    /** What writes one message. */
    public interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** A message, as the writer writes it. */
    public static byte[] write(Writer writer) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new IllegalStateException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    public static void writeString(DataOutputStream out, String value) throws IOException {
        writeBytes(out, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    public static String readString(DataInputStream in) throws IOException {
        byte[] bytes = readBytes(in);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** A byte array, or null (length -1). */
    public static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(value.length);
        out.write(value);
    }

    public static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > MAX_LENGTH) {
            throw new IOException("a length of " + length + " in a platform message");
        }
        byte[] bytes = new byte[Math.min(length, in.available())];
        in.readFully(bytes); // a message shorter than it says is damaged, not quietly shortened
        if (bytes.length < length) {
            throw new java.io.EOFException("a platform message ends early");
        }
        return bytes;
    }

    public static void writeStrings(DataOutputStream out, Map<String, String> values) throws IOException {
        out.writeInt(values.size());
        for (Map.Entry<String, String> entry : values.entrySet()) {
            writeString(out, entry.getKey());
            writeString(out, entry.getValue());
        }
    }

    public static Map<String, String> readStrings(DataInputStream in) throws IOException {
        int size = readSize(in);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            values.put(readString(in), readString(in));
        }
        return values;
    }

    public static void writeByteArrays(DataOutputStream out, Map<String, byte[]> values) throws IOException {
        out.writeInt(values.size());
        for (Map.Entry<String, byte[]> entry : values.entrySet()) {
            writeString(out, entry.getKey());
            writeBytes(out, entry.getValue());
        }
    }

    public static Map<String, byte[]> readByteArrays(DataInputStream in) throws IOException {
        int size = readSize(in);
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            values.put(readString(in), readBytes(in));
        }
        return values;
    }

    /** A count of entries to follow; each takes at least 4 bytes, so there cannot be more than that allows. */
    public static int readSize(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 0 || size > in.available() / 4) {
            throw new IOException("a count of " + size + " in a platform message");
        }
        return size;
    }
}
