package io.plinth.impl.shell;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Completes hub targets: {@code instance:ID} and {@code group:NAME}. */
@Service
public class TargetCompleter extends PlatformCompleter {

    @Override
    protected Collection<String> candidates() {
        List<String> targets = new ArrayList<>();
        instanceIds().forEach(id -> targets.add("instance:" + id));
        groupNames().forEach(group -> targets.add("group:" + group));
        return targets;
    }
}
