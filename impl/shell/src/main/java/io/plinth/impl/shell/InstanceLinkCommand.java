package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-link",
        description = "Links two instances: when one ends for any reason but normal, the other is destroyed")
public class InstanceLinkCommand extends InstancePairCommand {

    @Override
    protected void run(ComponentController controller) {
        controller.link(instanceId, otherInstanceId);
        System.out.println("Linked " + instanceId + " and " + otherInstanceId);
    }
}
