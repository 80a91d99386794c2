package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "type-list", description = "Lists the registered component types")
public class TypeListCommand extends ControllerCommand {

    @Override
    protected void run(ComponentController controller) {
        Tables.printTypes(controller.types());
    }
}
