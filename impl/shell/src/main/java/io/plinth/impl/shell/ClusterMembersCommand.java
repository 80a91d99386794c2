package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "cluster-members", description = "Lists the nodes the cluster channel sees now, this one included")
public class ClusterMembersCommand extends ClusterCommand {

    @Override
    protected void run(ClusterService cluster) {
        ShellTable table = Tables.table("No members: this node is in no cluster, or not connected yet.", "Node", "Address", "Role");
        for (ClusterMember member : cluster.members()) {
            String role = (member.coordinator() ? "coordinator" : "member") + (member.self() ? " (this node)" : "");
            table.addRow().addContent(member.name(), member.address(), role);
        }
        Tables.print(table);
    }
}
