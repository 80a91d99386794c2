package io.plinth.impl.shell;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "attr-set", description = "Sets an attribute of an instance or a group")
public class AttrSetCommand extends AttributeCommand {

    @Argument(index = 2, name = "value", required = true, description = "The attribute's value")
    String value;

    @Override
    protected void run(Hub hub) {
        hub.putAttribute(target(), attribute, value);
        System.out.println("Set " + attribute + "=" + value + " on " + target());
    }
}
