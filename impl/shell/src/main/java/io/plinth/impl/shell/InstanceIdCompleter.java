package io.plinth.impl.shell;

import java.util.Collection;

import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the ids of existing instances. */
@Service
public class InstanceIdCompleter extends PlatformCompleter {

    @Override
    protected Collection<String> candidates() {
        return instanceIds();
    }
}
