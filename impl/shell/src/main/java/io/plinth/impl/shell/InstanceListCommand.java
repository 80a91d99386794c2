package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-list", description = "Lists the component instances")
public class InstanceListCommand extends ControllerCommand {

    @Override
    protected void run(ComponentController controller) {
        Tables.printInstances(controller.instances());
    }
}
