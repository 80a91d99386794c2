package io.plinth.impl.shell;

import java.util.List;
import java.util.stream.Collectors;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "name-show", description = "Shows who owns a unique name and who waits for it")
public class NameShowCommand extends HubCommand {

    @Argument(index = 0, name = "name", required = true, description = "The unique name")
    String name;

    @Override
    protected void run(Hub hub) {
        String owner = hub.nameOwner(name).orElse("");
        // The hub lists the owner first; the queue proper is everybody after.
        List<String> queued = hub.nameQueue(name).stream()
                .filter(instanceId -> !instanceId.equals(owner))
                .collect(Collectors.toList());
        new Fields()
                .add("name", name)
                .add("owner", owner.isEmpty() ? "-" : owner)
                .addEach("queue", queued)
                .print();
    }
}
