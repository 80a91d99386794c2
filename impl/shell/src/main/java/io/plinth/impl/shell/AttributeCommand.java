package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.Argument;

/** Base of the commands that change one attribute of a target: TARGET NAME. */
abstract class AttributeCommand extends TargetCommand {

    @Argument(index = 1, name = "name", required = true, description = "The attribute's name")
    String attribute;
}
