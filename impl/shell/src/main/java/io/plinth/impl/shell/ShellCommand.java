package io.plinth.impl.shell;

import io.plinth.api.error.PlinthException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.BundleContext;

/**
 * Base of every plinth command: the platform's expected failures (and bad input) become one
 * readable line instead of a stack trace.
 */
abstract class ShellCommand implements Action {

    @Reference
    BundleContext bundleContext;

    @Override
    public final Object execute() throws Exception {
        try {
            run();
        } catch (PlinthException | IllegalArgumentException e) {
            System.err.println("Error: " + e.getMessage());
        }
        return null;
    }

    /** Does the command's work, printing its results to {@code System.out}. */
    protected abstract void run() throws Exception;
}
