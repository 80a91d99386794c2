package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-unlink", description = "Removes the link between two instances")
public class InstanceUnlinkCommand extends InstancePairCommand {

    @Override
    protected void run(ComponentController controller) {
        controller.unlink(instanceId, otherInstanceId);
        System.out.println("Unlinked " + instanceId + " and " + otherInstanceId);
    }
}
