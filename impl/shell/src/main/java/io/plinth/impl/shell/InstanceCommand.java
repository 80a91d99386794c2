package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** Base of the commands that act on one instance: ID. */
abstract class InstanceCommand extends ControllerCommand {

    @Argument(index = 0, name = "id", required = true, description = "The instance's id")
    @Completion(InstanceIdCompleter.class)
    String instanceId;
}
