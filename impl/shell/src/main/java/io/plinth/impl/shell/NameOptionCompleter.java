package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the options of a unique-name claim. */
@Service
public class NameOptionCompleter extends StringsCompleter {

    public NameOptionCompleter() {
        super(new String[] {"replace", "queue", "do-not-queue"});
    }
}
