package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the modes of an upgrade. */
@Service
public class UpgradeModeCompleter extends StringsCompleter {

    public UpgradeModeCompleter() {
        super(new String[] {"instant", "session", "gradual", "concurrent"});
    }
}
