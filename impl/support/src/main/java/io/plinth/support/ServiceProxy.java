package io.plinth.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;

import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A stand-in for a platform service that survives the service being replaced: each call goes to
 * the current service, waits (up to a patience) while there is none, and is retried on the
 * successor when the old one answers {@link Reason#UNAVAILABLE} because it is shutting down.
 * This is how a live {@code bundle:update} of an impl bundle costs callers a short wait, not an error.
 */
public final class ServiceProxy<T> implements AutoCloseable {

    private static final long RETRY_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final ServiceTracker<T, T> tracker;
    private final long patienceNanos;
    private final T proxy;

    public ServiceProxy(BundleContext context, Class<T> type, Duration patience) {
        this.tracker = new ServiceTracker<>(context, type, null);
        this.patienceNanos = patience.toNanos();
        this.tracker.open();
        this.proxy = type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new Forwarder(type)));
    }

    /** The stand-in; valid until {@link #close()}. */
    public T get() {
        return proxy;
    }

    /** Stops tracking; nothing to do once the bundle whose context it tracks with has stopped (its listener went with it). */
    @Override
    public void close() {
        try {
            tracker.close();
        } catch (IllegalStateException ownerStopped) {
            // "Invalid BundleContext": e.g. a shell command that outlived its bundle's replacement
        }
    }

    private final class Forwarder implements InvocationHandler {
        private final Class<T> type;

        Forwarder(Class<T> type) {
            this.type = type;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(self, method, args);
            }
            long deadline = System.nanoTime() + patienceNanos;
            while (true) {
                T service = current(deadline);
                try {
                    return method.invoke(service, args);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    boolean retryable = cause instanceof PlinthException pe && pe.reason() == Reason.UNAVAILABLE;
                    if (!retryable || System.nanoTime() - deadline >= 0) {
                        throw cause;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(RETRY_PAUSE_NANOS);
                }
            }
        }

        private T current(long deadline) {
            T service = tracker.getService();
            if (service != null) {
                return service;
            }
            long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                service = tracker.waitForService(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PlinthException(Reason.UNAVAILABLE, "interrupted while waiting for " + type.getSimpleName());
            }
            if (service == null) {
                throw new PlinthException(Reason.UNAVAILABLE, type.getSimpleName() + " is not available on this node");
            }
            return service;
        }

        private Object objectMethod(Object self, Method method, Object[] args) {
            switch (method.getName()) {
                case "equals": return self == args[0];
                case "hashCode": return System.identityHashCode(self);
                default: return "ServiceProxy[" + type.getName() + "]";
            }
        }
    }
}
