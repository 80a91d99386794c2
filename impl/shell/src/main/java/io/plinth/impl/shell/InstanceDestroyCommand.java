package io.plinth.impl.shell;

import java.time.Duration;
import java.util.List;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-destroy",
        description = "Ends an instance for sure: asks it to stop, then removes it after a grace period regardless")
public class InstanceDestroyCommand extends InstanceCommand {

    @Option(name = "-r", aliases = "--reason", description = "Why it ends (default: killed)")
    String reason = "killed";

    @Option(name = "--grace", description = "How many seconds the instance gets to stop by itself (default 10)")
    long graceSeconds = 10;

    @Override
    protected void run(ComponentController controller) {
        if (graceSeconds < 0) {
            throw new IllegalArgumentException("the grace period cannot be negative: " + graceSeconds);
        }
        Tables.printInstances(List.of(controller.destroy(instanceId, reason, Duration.ofSeconds(graceSeconds))));
    }
}
