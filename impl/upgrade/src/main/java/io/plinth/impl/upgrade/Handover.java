package io.plinth.impl.upgrade;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a revision of this bundle hands a running upgrade to its successor. A stopping revision is
 * retired: its driver thread stops at the next step, leaving the journal as it is, and the
 * revision waits for it, so that two revisions never change bundles at once. The exception is a
 * driver inside a call that replaces this bundle itself (Karaf's deployer, a refresh of the bundles
 * wired to a new API): waiting would hold that call up, and the driver only ends once it returns.
 */
final class Handover {

    private static final Logger LOG = LoggerFactory.getLogger(Handover.class);

    private volatile boolean retired;
    private volatile boolean replacing;

    /** A call into the framework or Karaf that may stop this bundle's revision before it returns. */
    interface Replacing {
        void run() throws Exception;
    }

    boolean retired() {
        return retired;
    }

    /** Runs {@code call}, during which a stopping revision does not wait for its driver. */
    void whileReplacing(Replacing call) throws Exception {
        replacing = true;
        try {
            call.run();
        } finally {
            replacing = false;
        }
    }

    /** Retires this revision and waits up to {@code patience} for {@code driver} (null: none) to stop. */
    void retire(Thread driver, Duration patience) {
        retired = true;
        if (driver == null || replacing || driver == Thread.currentThread()) {
            return;
        }
        try {
            driver.join(patience.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (driver.isAlive()) {
            LOG.warn("The upgrade driver did not stop within {} s; the next revision of the upgrade bundle may meet it", patience.toSeconds());
        }
    }
}
