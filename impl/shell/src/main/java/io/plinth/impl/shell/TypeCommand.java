package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** Base of the commands that name one component type: NAME VERSION. */
abstract class TypeCommand extends ControllerCommand {

    @Argument(index = 0, name = "name", required = true, description = "The component type's name")
    @Completion(TypeNameCompleter.class)
    String name;

    @Argument(index = 1, name = "version", required = true,
            description = "The type's exact version, MAJOR.MINOR.MICRO[.QUALIFIER]")
    String version;
}
