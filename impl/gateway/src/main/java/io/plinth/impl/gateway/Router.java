package io.plinth.impl.gateway;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;

/**
 * Chooses which version serves a request, following the newest version's upgrade transition
 * (seed 003 §6.1): INSTANT sends everything to it; SESSION sends new sessions to it and keeps a
 * session (a cookie that expires after {@code sessionTimeout} seconds without requests) on the
 * version it started on; GRADUAL sends it {@code percentageTransitionPerRequest} % of requests (a
 * share that grows to 100 % over {@code durationSeconds}, when set);
 * CONCURRENT lets the previous version answer and mirrors the request to it (see {@link Comparison}).
 * Versions before the previous one only serve as fall-back.
 */
final class Router {

    static final String SESSION_COOKIE = "plinth_version";

    /**
     * The versions to try for a request, in order; the session cookie to set (or null); and, in
     * CONCURRENT mode, the new version that gets a mirror of the request (or null).
     */
    record Route(List<Cluster> candidates, String setCookie, Cluster mirror) {
        Route(List<Cluster> candidates, String setCookie) {
            this(candidates, setCookie, null);
        }
    }

    Route route(HttpRequest request, List<Cluster> newestFirst) {
        if (newestFirst.isEmpty()) {
            return new Route(newestFirst, null);
        }
        Cluster newest = newestFirst.get(0);
        Cluster.UpgradeTransition transition = newest.upgradeTransition();
        if (newestFirst.size() < 2 && transition.mode() != Cluster.Mode.SESSION) {
            return new Route(newestFirst, null);
        }
        switch (transition.mode()) {
            case SESSION:
                Cluster pinned = sessionVersion(request, newestFirst);
                Cluster chosen = pinned != null ? pinned : newest;
                return new Route(fallbackOrder(chosen, newestFirst), sessionCookie(chosen, transition.sessionTimeout()));
            case CONCURRENT:
                // The previous version answers; the new one gets the same request to be judged.
                return new Route(fallbackOrder(newestFirst.get(1), newestFirst), null, newest);
            case GRADUAL:
                double share = transition.share(newest.addedMillis() == null ? 0 : newest.addedMillis(), System.currentTimeMillis());
                boolean toNewest = ThreadLocalRandom.current().nextDouble(100.0) < share;
                return new Route(toNewest ? newestFirst : fallbackOrder(newestFirst.get(1), newestFirst), null);
            default:
                return new Route(newestFirst, null);
        }
    }

    /** The chosen version first, then the others newest first: where a failed request falls back to. */
    private static List<Cluster> fallbackOrder(Cluster chosen, List<Cluster> newestFirst) {
        if (newestFirst.get(0) == chosen) {
            return newestFirst;
        }
        List<Cluster> order = new java.util.ArrayList<>(newestFirst.size());
        order.add(chosen);
        for (Cluster cluster : newestFirst) {
            if (cluster != chosen) {
                order.add(cluster);
            }
        }
        return order;
    }

    private static Cluster sessionVersion(HttpRequest request, List<Cluster> newestFirst) {
        String header = request.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (Cookie cookie : ServerCookieDecoder.STRICT.decode(header)) {
            if (SESSION_COOKIE.equals(cookie.name())) {
                return newestFirst.stream().filter(c -> c.uuid().equals(cookie.value())).findFirst().orElse(null);
            }
        }
        return null;
    }

    /** Set on every response, so the session lasts {@code timeout} seconds after the last request. */
    private static String sessionCookie(Cluster version, int timeoutSeconds) {
        DefaultCookie cookie = new DefaultCookie(SESSION_COOKIE, version.uuid());
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setMaxAge(timeoutSeconds);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }
}
