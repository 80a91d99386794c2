package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "type-unregister", description = "Unregisters a component type that has no instances left")
public class TypeUnregisterCommand extends TypeCommand {

    @Override
    protected void run(ComponentController controller) {
        controller.unregisterType(name, version);
        System.out.println("Unregistered type " + name + "/" + version);
    }
}
