package io.plinth.impl.shell;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Base of the commands that watch platform events for a while. The listener service only queues
 * what it hears (listeners must not block); the command's own thread prints the queue, because
 * its {@code System.out} is the one that reaches the shell session. A bad option fails the
 * command like any other error (see {@link PlatformCommand}).
 */
abstract class WatchCommand<E> implements Action {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    @Option(name = "-d", aliases = "--duration", description = "How many seconds to watch (default 10); Ctrl-C stops earlier")
    long durationSeconds = 10;

    @Reference
    BundleContext bundleContext;

    @Override
    public final Object execute() {
        if (durationSeconds <= 0) {
            throw new IllegalArgumentException("the duration must be at least 1 second, not " + durationSeconds);
        }
        BlockingQueue<E> events = new LinkedBlockingQueue<>();
        ServiceRegistration<?> listener = listen(events::add);
        try {
            println(header());
            printUntilDeadline(events);
        } finally {
            listener.unregister();
        }
        return null;
    }

    private void printUntilDeadline(BlockingQueue<E> events) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        try {
            for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                E event = events.poll(left, TimeUnit.NANOSECONDS);
                if (event != null) {
                    println(line(event));
                }
            }
        } catch (InterruptedException e) {
            // Ctrl-C interrupts the command's thread: that is how a user ends the watch early, not an error.
        }
    }

    private static void println(String text) {
        System.out.println(text);
        // The session's stream may buffer; events should show as they happen.
        System.out.flush();
    }

    /** Registers the listener service, handing each event to {@code sink}. */
    protected abstract ServiceRegistration<?> listen(Consumer<E> sink);

    /** The column titles, aligned like {@link #line}. */
    protected abstract String header();

    protected abstract String line(E event);

    /** Registration properties narrowing a listener to some subjects; none given means all. */
    static Dictionary<String, Object> onlySubjects(String property, List<String> subjects) {
        Dictionary<String, Object> properties = new Hashtable<>();
        if (subjects != null && !subjects.isEmpty()) {
            properties.put(property, subjects.toArray(new String[0]));
        }
        return properties;
    }

    static String time(Instant instant) {
        return TIME.format(instant);
    }
}
