package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "cluster-init",
        description = "Makes this node the first of a new cluster: creates the cluster CA and this node's certificate")
public class ClusterInitCommand extends ClusterCommand {

    @Argument(index = 0, name = "name", required = true, description = "The cluster's name: lowercase letters, digits and '-'")
    String name;

    @Override
    protected void run(ClusterService cluster) {
        print(cluster.initialize(name));
    }
}
