package io.plinth.impl.shell;

import java.util.Collection;

import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the ids of the versions of every route. */
@Service
public class VersionIdCompleter extends PlatformCompleter {

    @Override
    protected Collection<String> candidates() {
        return versionIds();
    }
}
