package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;
import io.plinth.api.component.Instance;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-show", description = "Shows an instance with its configuration and links")
public class InstanceShowCommand extends InstanceCommand {

    @Override
    protected void run(ComponentController controller) {
        Instance instance = controller.instance(instanceId);
        new Fields()
                .add("id", instance.id())
                .add("type", instance.type())
                .add("version", instance.version())
                .add("state", Tables.lower(instance.state()))
                .add("node", instance.node())
                .add("created", instance.created())
                .addEach("groups", instance.groups())
                .addEach("links", instance.links())
                .addEach("configuration", KeyValues.entries(instance.configuration()))
                .print();
    }
}
