package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** Base of the commands that act on two instances: ID OTHER. */
abstract class InstancePairCommand extends InstanceCommand {

    @Argument(index = 1, name = "other", required = true, description = "The other instance's id")
    @Completion(InstanceIdCompleter.class)
    String otherInstanceId;
}
