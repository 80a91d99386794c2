package io.plinth.impl.shell;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "name-release",
        description = "Gives a unique name up, or leaves its queue; the next queued instance becomes the owner")
public class NameReleaseCommand extends HubCommand {

    @Argument(index = 0, name = "name", required = true, description = "The unique name")
    String name;

    @Argument(index = 1, name = "id", required = true, description = "The id of the instance that releases it")
    @Completion(InstanceIdCompleter.class)
    String instanceId;

    @Override
    protected void run(Hub hub) {
        hub.releaseName(name, instanceId);
        System.out.println(instanceId + " released " + name + "; owner now: " + hub.nameOwner(name).orElse("none"));
    }
}
