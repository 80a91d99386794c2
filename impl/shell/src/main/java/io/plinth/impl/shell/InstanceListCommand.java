package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-list", description = "Lists the component instances of the cluster, or of one node")
public class InstanceListCommand extends ControllerCommand {

    @Option(name = "-N", aliases = "--node", description = "Only the instances this node hosts")
    String node;

    @Override
    protected void run(ComponentController controller) {
        Tables.printInstances(node == null ? controller.instances() : controller.instancesOn(node));
    }
}
