package io.plinth.impl.shell;

import io.plinth.api.hub.Target;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** Base of the hub commands aimed at a target: instance:ID, group:NAME or name:NAME. */
abstract class TargetCommand extends HubCommand {

    @Argument(index = 0, name = "target", required = true,
            description = "What to address: instance:ID, group:NAME or name:NAME (a unique name's owner)")
    @Completion(TargetCompleter.class)
    String targetText;

    protected Target target() {
        return Target.parse(targetText);
    }
}
