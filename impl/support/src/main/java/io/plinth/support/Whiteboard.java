package io.plinth.support;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to listener services (the whiteboard pattern), in order, on one thread of its
 * own, so a publisher never waits for its listeners. A listener may narrow what it hears with a
 * String or String[] service property naming the subjects it wants.
 */
public final class Whiteboard<L, E> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Whiteboard.class);

    private final ServiceTracker<L, L> listeners;
    private final String subjectProperty;
    private final BiConsumer<L, E> delivery;
    private final ExecutorService thread;

    public Whiteboard(BundleContext context, Class<L> listenerType, String subjectProperty, BiConsumer<L, E> delivery) {
        this.listeners = new ServiceTracker<>(context, listenerType, null);
        this.subjectProperty = subjectProperty;
        this.delivery = delivery;
        this.thread = Executors.newSingleThreadExecutor(Threads.named("plinth-events-" + listenerType.getSimpleName()));
        listeners.open();
    }

    /** Queues an event for every listener that wants {@code subject}. */
    public void publish(String subject, E event) {
        if (listeners.isEmpty()) {
            return;
        }
        thread.execute(() -> deliver(subject, event));
    }

    private void deliver(String subject, E event) {
        ServiceReference<L>[] references = listeners.getServiceReferences();
        if (references == null) {
            return;
        }
        for (ServiceReference<L> reference : references) {
            if (!wants(reference.getProperty(subjectProperty), subject)) {
                continue;
            }
            L listener = listeners.getService(reference);
            if (listener == null) {
                continue;
            }
            try {
                delivery.accept(listener, event);
            } catch (RuntimeException e) {
                LOG.warn("Listener {} failed on {}", listener, event, e);
            }
        }
    }

    private static boolean wants(Object filter, String subject) {
        if (filter == null) {
            return true;
        }
        if (filter instanceof String[] subjects) {
            for (String s : subjects) {
                if (s.equals(subject)) {
                    return true;
                }
            }
            return false;
        }
        if (filter instanceof java.util.Collection<?> subjects) {
            return subjects.contains(subject);
        }
        return filter.toString().equals(subject);
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listeners.close();
    }
}
