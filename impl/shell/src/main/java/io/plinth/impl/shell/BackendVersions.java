package io.plinth.impl.shell;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Optional;

import io.plinth.api.gateway.BackendVersion;
import io.plinth.api.gateway.Route;

/** How the gateway commands write a backend version, so that every command writes it alike. */
final class BackendVersions {

    private BackendVersions() {
    }

    /** The version number as the seed writes it: "1.0", "1.1". */
    static String number(BackendVersion version) {
        return BigDecimal.valueOf(version.version()).toPlainString();
    }

    /** Its servers, or the group that serves it: "127.0.0.1:1034, 127.0.0.1:1035" or "group web". */
    static String servers(BackendVersion version) {
        return version.group() != null ? "group " + version.group() : String.join(", ", version.servers());
    }

    /** The mode with its setting, if any: "INSTANT", "SESSION 60 s", "GRADUAL 20 %". */
    static String mode(BackendVersion version) {
        StringBuilder mode = new StringBuilder(version.mode().name());
        if (version.sessionTimeout() != null) {
            mode.append(' ').append(version.sessionTimeout()).append(" s");
        }
        if (version.percentage() != null) {
            mode.append(' ').append(BigDecimal.valueOf(version.percentage()).stripTrailingZeros().toPlainString()).append(" %");
        }
        return mode.toString();
    }

    /** "serving", or "rolled back TIME: REASON". */
    static String state(BackendVersion version) {
        return version.serving() ? "serving" : "rolled back " + version.rolledBack() + ": " + version.rollbackReason();
    }

    /** One line: "version 1.1 on 127.0.0.1:1036, SESSION 60 s, serving". */
    static String summary(BackendVersion version) {
        return "version " + number(version) + " on " + servers(version) + ", " + mode(version) + ", " + state(version);
    }

    /** The version with the highest number among those still serving, the one new traffic moves to. */
    static Optional<BackendVersion> newestServing(Route route) {
        return route.versions().stream()
                .filter(BackendVersion::serving)
                .max(Comparator.comparingDouble(BackendVersion::version));
    }
}
