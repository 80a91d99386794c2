package io.plinth.impl.shell;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "group-join",
        description = "Adds an instance to a group (creating the group) and prints how many members it has then")
public class GroupJoinCommand extends GroupMembershipCommand {

    @Override
    protected void run(Hub hub) {
        int count = hub.register(instanceId, group);
        System.out.println(instanceId + " joined " + group + ": " + members(count));
    }
}
