package io.plinth.impl.shell;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "attr-remove", description = "Removes an attribute of an instance or a group")
public class AttrRemoveCommand extends AttributeCommand {

    @Override
    protected void run(Hub hub) {
        // The hub removes an attribute when it is given no value.
        hub.putAttribute(target(), attribute, null);
        System.out.println("Removed " + attribute + " from " + target());
    }
}
