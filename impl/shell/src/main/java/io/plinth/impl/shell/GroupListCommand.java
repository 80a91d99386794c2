package io.plinth.impl.shell;

import java.util.TreeSet;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "group-list", description = "Lists the hub's groups with their number of members")
public class GroupListCommand extends HubCommand {

    @Override
    protected void run(Hub hub) {
        ShellTable table = Tables.table("No groups.", "Group", "Members");
        for (String group : new TreeSet<>(hub.groups())) {
            table.addRow().addContent(group, hub.members(group).size());
        }
        Tables.print(table);
    }
}
