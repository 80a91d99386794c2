package io.plinth.api.gateway;

import java.util.List;

/**
 * One version of the backend behind a route.
 *
 * @param id              the gateway's id for it
 * @param version         its version number; the highest is the newest
 * @param servers         its servers, {@code host:port} (empty when {@code group} serves)
 * @param group           the hub group whose available members serve it, each at the {@code host:port}
 *                        of its {@value GatewayService#ADDRESS_ATTRIBUTE} attribute; null when {@code servers} serve
 * @param mode            how traffic moves to it from the version before
 * @param sessionTimeout  SESSION: seconds without a request that end a session
 * @param percentage      GRADUAL: the share of requests it gets, in percent (at first, when a duration is set)
 * @param durationSeconds GRADUAL: when set, its share grows evenly from {@code percentage} to 100 %
 *                        over this many seconds after it was added (a long-term update)
 * @param rolledBack      when it was rolled back (ISO-8601), or null while it serves
 * @param rollbackReason  why it was rolled back, or null
 */
public record BackendVersion(String id, double version, List<String> servers, String group, UpgradeMode mode, Integer sessionTimeout,
                             Double percentage, Long durationSeconds, String rolledBack, String rollbackReason) {

    public BackendVersion {
        servers = servers == null ? List.of() : List.copyOf(servers);
        group = group == null || group.isBlank() ? null : group;
        mode = mode == null ? UpgradeMode.INSTANT : mode;
    }

    public boolean serving() {
        return rolledBack == null;
    }
}
