package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "cluster-join",
        description = "Joins the cluster a token (from plinth:cluster-token) names, and gets this node's certificate")
public class ClusterJoinCommand extends ClusterCommand {

    @Argument(index = 0, name = "token", required = true, description = "The join token")
    String token;

    @Override
    protected void run(ClusterService cluster) {
        print(cluster.join(token));
    }
}
