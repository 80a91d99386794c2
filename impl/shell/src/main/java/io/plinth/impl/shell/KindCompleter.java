package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the kinds of component type. */
@Service
public class KindCompleter extends StringsCompleter {

    public KindCompleter() {
        super(new String[] {"bundle", "feature"});
    }
}
