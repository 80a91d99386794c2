package io.plinth.support;

/**
 * A {@code host:port} as the platform writes addresses (gateway servers, published member
 * addresses, seeds, cluster channels): an IPv6 host in brackets, a port from 1 to 65535.
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("an address needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("a port is 1 to 65535, not " + port);
        }
    }

    /** Reads {@code host:port}; IllegalArgumentException, with the text quoted, for anything else. */
    public static HostPort parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        try {
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("an address reads host:port with a port from 1 to 65535,"
                    + " e.g. 127.0.0.1:1034, not '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
