package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "cluster-status", description = "Shows the cluster this node belongs to, and its certificate")
public class ClusterStatusCommand extends ClusterCommand {

    @Override
    protected void run(ClusterService cluster) {
        print(cluster.info());
    }
}
