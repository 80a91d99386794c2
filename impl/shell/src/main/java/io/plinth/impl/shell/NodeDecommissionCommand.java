package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterMember;
import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "node-decommission",
        description = "Drains a node and takes it out of the cluster for good: its instances move to the others (each started there"
                + " before it stops here), then it leaves and forgets its membership")
public class NodeDecommissionCommand extends ClusterCommand {

    @Argument(index = 0, name = "node", required = true, description = "The node to decommission")
    String node;

    @Override
    protected void run(ClusterService cluster) {
        ClusterMember member = cluster.decommission(node);
        System.out.println("Node " + member.name() + " is " + Tables.lower(member.state())
                + ": its instances move away, then it leaves (plinth:cluster-members shows it destroyed)");
    }
}
