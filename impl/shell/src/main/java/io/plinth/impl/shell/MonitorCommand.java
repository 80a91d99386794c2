package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** Base of instance-monitor and instance-demonitor: WATCHER TARGET. */
abstract class MonitorCommand extends ControllerCommand {

    @Argument(index = 0, name = "watcher", required = true,
            description = "The instance told (by a " + ComponentController.DOWN + " cast) when the target ends")
    @Completion(InstanceIdCompleter.class)
    String watcherId;

    @Argument(index = 1, name = "target", required = true, description = "The instance watched")
    @Completion(InstanceIdCompleter.class)
    String targetId;
}
