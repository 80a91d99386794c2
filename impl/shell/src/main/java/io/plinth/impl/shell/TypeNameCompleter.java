package io.plinth.impl.shell;

import java.util.Collection;

import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes the names of registered component types. */
@Service
public class TypeNameCompleter extends PlatformCompleter {

    @Override
    protected Collection<String> candidates() {
        return typeNames();
    }
}
