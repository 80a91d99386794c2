package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** Base of group-join and group-leave: ID GROUP. */
abstract class GroupMembershipCommand extends HubCommand {

    @Argument(index = 0, name = "id", required = true, description = "The instance's id")
    @Completion(InstanceIdCompleter.class)
    String instanceId;

    @Argument(index = 1, name = "group", required = true, description = "The group")
    @Completion(GroupNameCompleter.class)
    String group;

    /** "1 member", "3 members". */
    static String members(int count) {
        return count == 1 ? "1 member" : count + " members";
    }
}
