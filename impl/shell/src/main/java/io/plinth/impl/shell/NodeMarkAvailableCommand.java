package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "node-mark-available", description = "Lets selectors pick a node's instances again")
public class NodeMarkAvailableCommand extends NodeMarkCommand {

    @Override
    protected void run(ClusterService cluster) {
        mark(cluster, true);
    }
}
