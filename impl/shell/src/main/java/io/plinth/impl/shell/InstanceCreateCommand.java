package io.plinth.impl.shell;

import java.time.Duration;
import java.util.List;

import io.plinth.api.component.ComponentController;
import io.plinth.api.component.InstanceSpec;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-create",
        description = "Creates instances of a component type and waits until they are all available")
public class InstanceCreateCommand extends TypeCommand {

    @Option(name = "-n", aliases = "--count", description = "How many instances (default 1)")
    int count = 1;

    @Option(name = "-g", aliases = "--group", multiValued = true, description = "A hub group every instance joins at start (repeatable)")
    @Completion(GroupNameCompleter.class)
    List<String> groups;

    @Option(name = "-c", aliases = "--config", multiValued = true,
            description = "A configuration value over the type's defaults, key=value (repeatable)")
    List<String> configuration;

    @Option(name = "-N", aliases = "--node", description = "The node to run them on (default: each on the least-loaded available node)")
    String node;

    @Option(name = "-t", aliases = "--timeout", description = "How many seconds to wait for the instances to become available (default 30)")
    Long timeoutSeconds;

    @Override
    protected void run(ComponentController controller) {
        InstanceSpec spec = new InstanceSpec(name, version, count, KeyValues.parse(configuration), groups, timeout(), node);
        Tables.printInstances(controller.create(spec));
    }

    private Duration timeout() {
        if (timeoutSeconds == null) {
            return null;
        }
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("the timeout must be at least 1 second, not " + timeoutSeconds);
        }
        return Duration.ofSeconds(timeoutSeconds);
    }
}
