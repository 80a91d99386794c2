package io.plinth.impl.shell;

import java.util.List;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-terminate",
        description = "Asks an instance to terminate; the instance may refuse")
public class InstanceTerminateCommand extends InstanceCommand {

    @Option(name = "-r", aliases = "--reason", description = "Why it should end (default: shutdown)")
    String reason = "shutdown";

    @Override
    protected void run(ComponentController controller) {
        Tables.printInstances(List.of(controller.terminate(instanceId, reason)));
    }
}
