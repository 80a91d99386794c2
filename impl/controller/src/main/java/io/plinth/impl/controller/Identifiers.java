package io.plinth.impl.controller;

import java.security.SecureRandom;

/**
 * 160-bit identifiers crafted as seed §4.7.4 says: a 16-bit virtual-node prefix whose middle
 * bits are fixed per component type (so one type's instances gather in a few virtual nodes),
 * a 16-bit category, a 32-bit sub-element (zero for the target itself), and 96 random bits.
 */
final class Identifiers {

    static final int CATEGORY_INSTANCE = 0x0002;

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Identifiers() {
    }

    static String newInstanceId(String typeName) {
        byte[] id = new byte[20];
        RANDOM.nextBytes(id);
        int typeBits = typeName.hashCode() & 0xFF;
        int prefix = ((id[0] & 0xF0) << 8) | (typeBits << 4) | (id[1] & 0x0F);
        id[0] = (byte) (prefix >>> 8);
        id[1] = (byte) prefix;
        id[2] = (byte) (CATEGORY_INSTANCE >>> 8);
        id[3] = (byte) CATEGORY_INSTANCE;
        id[4] = 0;
        id[5] = 0;
        id[6] = 0;
        id[7] = 0;
        StringBuilder text = new StringBuilder(40);
        for (byte b : id) {
            text.append(HEX[(b >>> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        return text.toString();
    }
}
