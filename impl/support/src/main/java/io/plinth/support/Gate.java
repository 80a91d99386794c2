package io.plinth.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;

/**
 * Lets calls into a service through until the service shuts down, then waits for the calls in
 * flight to finish. A call arriving after {@link #closeAndDrain} is refused with
 * {@link Reason#UNAVAILABLE} before doing anything, so a {@link ServiceProxy} may safely retry it
 * on the successor.
 */
public final class Gate {

    private final String serviceName;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    public Gate(String serviceName) {
        this.serviceName = serviceName;
    }

    /** Enters the gate; pair with {@link #exit()} in a finally block. */
    public void enter() {
        inFlight.incrementAndGet();
        if (closed) {
            exit();
            throw new PlinthException(Reason.UNAVAILABLE, serviceName + " is being replaced");
        }
    }

    public void exit() {
        if (inFlight.decrementAndGet() == 0 && closed) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Refuses new calls and waits up to {@code patience} for those in flight; true if all finished. */
    public boolean closeAndDrain(Duration patience) {
        closed = true;
        long deadline = System.nanoTime() + patience.toNanos();
        synchronized (this) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }
}
