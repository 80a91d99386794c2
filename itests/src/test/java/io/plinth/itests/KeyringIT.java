package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import com.sun.jna.Library;
import com.sun.jna.Native;

import org.junit.After;
import org.junit.Test;

/**
 * A node whose root secrets an operator put in the kernel keyring (a user key per secret, in the
 * user keyring of the node's user, as {@code keyctl padd} does): the node seals its key stores and
 * credentials with them, writes neither to disk, and opens both again after a restart; with the
 * keys gone, it refuses to make new secrets over the sealed data.
 */
public class KeyringIT {

    /** add_key(2) and keyctl(2) through libc, as keyctl(1) calls them (x86_64 numbers: the tests' machines). */
    interface C extends Library {
        long syscall(long number, Object... arguments);
    }

    private static final long ADD_KEY = 248;
    private static final long KEYCTL = 250;
    private static final long KEYCTL_REVOKE = 3;
    private static final long KEYCTL_SETPERM = 5;
    /** Possessor: everything; the user: view and read (as a service must be given, see the user guide). */
    private static final long POSSESSOR_ALL_USER_READ = 0x3f030000L;
    private static final long KEY_SPEC_USER_KEYRING = -4;

    private final C libc = Native.load("c", C.class);
    private final List<Long> added = new ArrayList<>();
    private NodeProcess node;

    @After
    public void cleanUp() throws Exception {
        if (node != null) {
            node.close();
        }
        for (long key : added) {
            libc.syscall(KEYCTL, KEYCTL_REVOKE, key);
        }
    }

    @Test
    public void rootSecretsInTheKernelKeyringNeverReachTheDisk() throws Exception {
        assumeTrue("x86_64 Linux", "amd64".equals(System.getProperty("os.arch")) && "Linux".equals(System.getProperty("os.name")));
        byte[] nodeSecret = random();
        byte[] credentialsKey = random();
        long first = libc.syscall(ADD_KEY, "user", "plinth:keyring:node-secret", nodeSecret, (long) nodeSecret.length, KEY_SPEC_USER_KEYRING);
        assumeTrue("a kernel keyring service this process may use (add_key answered " + first + ")", first > 0);
        added.add(first);
        added.add(libc.syscall(ADD_KEY, "user", "plinth:keyring:credentials-key", credentialsKey, (long) credentialsKey.length,
                KEY_SPEC_USER_KEYRING));
        for (long key : added) {
            assertEquals(0, libc.syscall(KEYCTL, KEYCTL_SETPERM, key, POSSESSOR_ALL_USER_READ));
        }

        node = new NodeProcess(Path.of("target/nodes/keyring"), 22000);
        node.start();
        node.awaitUp(Duration.ofSeconds(120));
        assertEquals(201, node.http().post("/cluster", "{\"name\":\"sealed\"}").status());
        assertEquals(201, node.http().post("/credentials", "{\"name\":\"k\",\"module\":\"hmac-sha256\",\"secrets\":{\"key\":\"k-secret\"}}")
                .status());
        Path data = node.home().resolve("data/plinth");
        assertTrue(Files.exists(data.resolve("cluster/node.p12")) && Files.exists(data.resolve("credentials/credentials.json")));
        assertFalse("no node secret file", Files.exists(data.resolve("cluster/node.secret")));
        assertFalse("no credentials key file", Files.exists(data.resolve("credentials/store.key")));
        assertFalse("neither secret in any file of the node", anyFileHolds(node.home(), nodeSecret) || anyFileHolds(node.home(), credentialsKey));

        node.stop();
        node.start();
        node.awaitUp(Duration.ofSeconds(120));
        assertEquals("the key stores open again: still a member", "true", node.http().get("/cluster").json().get("member").asText());
        Http.Answer signed = node.http().post("/credentials/k/sign", "{\"inputs\":{\"message\":\"hello\"}}");
        assertEquals("the sealed credential opens again: " + signed.body(), 200, signed.status());
        assertEquals(HexFormat.of().formatHex(hmac("k-secret", "hello")), signed.json().get("signature").asText());

        // The keys gone (a reboot empties the keyring): the node makes no new secret over the sealed data.
        node.stop();
        for (long key : added) {
            libc.syscall(KEYCTL, KEYCTL_REVOKE, key);
        }
        node.start();
        Path log = node.home().resolve("data/log/karaf.log");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(log) || !Files.readString(log).contains("put the key back")) {
            assertTrue("the node says the keyring key is missing within 60 s", System.nanoTime() < deadline);
            Thread.sleep(500);
        }
        assertFalse("no new node secret over the sealed key stores", Files.exists(data.resolve("cluster/node.secret")));
        assertFalse("no new credentials key over the sealed credentials", Files.exists(data.resolve("credentials/store.key")));
    }

    private static byte[] hmac(String key, String message) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static byte[] random() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    private static boolean anyFileHolds(Path home, byte[] secret) throws Exception {
        String needle = new String(secret, java.nio.charset.StandardCharsets.ISO_8859_1);
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (Files.size(file) < 50_000_000 && new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1).contains(needle)) {
                    return true;
                }
            }
        }
        return false;
    }
}
