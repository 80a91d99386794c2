package io.plinth.impl.shell;

import java.util.Collection;

import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the names of the hub's groups. */
@Service
public class GroupNameCompleter extends PlatformCompleter {

    @Override
    protected Collection<String> candidates() {
        return groupNames();
    }
}
