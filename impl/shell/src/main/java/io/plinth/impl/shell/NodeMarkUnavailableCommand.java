package io.plinth.impl.shell;

import io.plinth.api.cluster.ClusterService;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "node-mark-unavailable",
        description = "Takes a node out of the selectors: its instances run on and answer requests addressed to them, but get no other work")
public class NodeMarkUnavailableCommand extends NodeMarkCommand {

    @Override
    protected void run(ClusterService cluster) {
        mark(cluster, false);
    }
}
