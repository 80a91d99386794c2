package io.plinth.support;

import java.util.concurrent.ThreadFactory;

/** Daemon threads that pin no class loader: a replaced bundle revision must become unreachable. */
public final class Threads {

    private Threads() {
    }

    public static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            // Otherwise it inherits whatever the creating thread had, e.g. a component's loader.
            thread.setContextClassLoader(null);
            return thread;
        };
    }
}
