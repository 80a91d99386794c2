package io.plinth.impl.shell;

import java.util.List;

import io.plinth.api.hub.Hub;
import io.plinth.api.hub.Member;
import io.plinth.api.hub.Selector;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "group-members",
        description = "Lists the members of a group, or those a selector picks")
public class GroupMembersCommand extends HubCommand {

    @Argument(index = 0, name = "group", required = true, description = "The group")
    @Completion(GroupNameCompleter.class)
    String group;

    @Option(name = "-s", aliases = "--selector",
            description = "List only the members this selector picks: any, all, local or least-loaded:ATTRIBUTE")
    @Completion(SelectorCompleter.class)
    String selector;

    @Override
    protected void run(Hub hub) {
        List<Member> members = selector == null ? hub.members(group) : hub.select(group, Selector.parse(selector));
        ShellTable table = Tables.table("No members.", "Id", "Type", "Version", "Node", "Groups", "Attributes");
        for (Member member : members) {
            table.addRow().addContent(member.instanceId(), member.type(), member.version(), member.node(),
                    Tables.joined(member.groups()), KeyValues.format(member.attributes()));
        }
        Tables.print(table);
    }
}
