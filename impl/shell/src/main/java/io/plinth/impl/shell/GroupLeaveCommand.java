package io.plinth.impl.shell;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "group-leave",
        description = "Removes an instance from a group and prints how many members are left")
public class GroupLeaveCommand extends GroupMembershipCommand {

    @Override
    protected void run(Hub hub) {
        int count = hub.unregister(instanceId, group);
        System.out.println(instanceId + " left " + group + ": " + members(count) + " left");
    }
}
