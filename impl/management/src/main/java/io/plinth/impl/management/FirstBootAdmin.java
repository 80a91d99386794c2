package io.plinth.impl.management;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No default password: on a node's first boot, when {@code etc/users.properties} names no user,
 * creates the user {@code admin} (role admin, through {@code admingroup}) with a random secret,
 * stores only its SHA-512 (the JAAS realm compares hashes, see {@code org.apache.karaf.jaas.cfg})
 * and shows the secret once, on the node's console. It is never logged nor kept elsewhere.
 * To choose another: {@code jaas:realm-manage --realm karaf}, {@code jaas:user-add}, or edit the file.
 */
@Component
public final class FirstBootAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(FirstBootAdmin.class);
    static final String ADMIN = "admin";
    private static final String ADMIN_GROUP = "_g_\\:admingroup";
    private static final String ADMIN_GROUP_ROLES = "group,admin,manager,viewer,systembundles,ssh";

    @Activate
    void activate() throws IOException {
        Path marker = Path.of(System.getProperty("karaf.data"), "plinth", "management", "admin-created");
        Path users = Path.of(System.getProperty("karaf.etc"), "users.properties");
        if (Files.exists(marker)) {
            return;
        }
        List<String> lines = Files.exists(users) ? Files.readAllLines(users, StandardCharsets.ISO_8859_1) : List.of();
        boolean anyUser = lines.stream().map(String::trim)
                .anyMatch(line -> !line.isEmpty() && !line.startsWith("#") && !line.startsWith("_g_"));
        if (!anyUser) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Arrays.fill(random, (byte) 0);
            StringBuilder added = new StringBuilder("\n# Created by Plinth at first boot; the secret was shown once on the node's console.\n")
                    .append(ADMIN).append(" = {CRYPT}").append(sha512(secret)).append("{CRYPT},_g_:admingroup\n");
            if (lines.stream().noneMatch(line -> line.trim().startsWith(ADMIN_GROUP))) {
                added.append(ADMIN_GROUP).append(" = ").append(ADMIN_GROUP_ROLES).append('\n');
            }
            Files.writeString(users, added, StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            announce(secret);
            LOG.info("Created the user '{}' with a random secret, shown once on the console (it is not logged)", ADMIN);
        }
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "");
    }

    /** On the node's console (its standard output), never in the log. */
    private static void announce(String secret) {
        System.out.println();
        System.out.println("  Plinth: first boot. The admin user of this node (web console, REST API, ssh):");
        System.out.println("    user:   " + ADMIN);
        System.out.println("    secret: " + secret);
        System.out.println("  It is shown only this once and stored only hashed; keep it now.");
        System.out.println();
        System.out.flush();
    }

    private static String sha512(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
