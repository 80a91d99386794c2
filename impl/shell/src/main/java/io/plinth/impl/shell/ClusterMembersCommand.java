package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "cluster-members", description = "Lists the cluster's nodes: those in the view (available or unavailable), then those that left (offline or failed)")
public class ClusterMembersCommand extends ClusterCommand {

    @Override
    protected void run(ClusterService cluster) {
        ShellTable table = Tables.table("No members: this node is in no cluster, or not connected yet.", "Node", "State", "Address", "Role");
        for (ClusterMember member : cluster.members()) {
            String role = !member.inView() ? "-" : (member.coordinator() ? "coordinator" : "member") + (member.self() ? " (this node)" : "");
            table.addRow().addContent(member.name(), Tables.lower(member.state()), member.address() == null ? "-" : member.address(), role);
        }
        Tables.print(table);
    }
}
