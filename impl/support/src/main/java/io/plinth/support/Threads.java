package io.plinth.support;

import java.util.concurrent.ThreadFactory;

/** Daemon threads that pin no class loader: a replaced bundle revision must become unreachable. */
public final class Threads {

    private Threads() {
    }

    /**
     * Runs a library's first use on a short-lived thread of its own and waits for it. What the
     * library then keeps for good, such as a static exception recording why an optional part is
     * missing, records that thread's stack instead of the caller's. Pass a method or constructor
     * reference to the library: its frame is hidden, whereas a lambda's body is a method of the
     * calling class and would be recorded.
     */
    public static void firstUseApart(Runnable firstUse) {
        Thread thread = named("plinth-first-use").newThread(firstUse);
        thread.start();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
