package io.plinth.impl.shell;

import java.time.Duration;

import io.plinth.api.cluster.ClusterService;
import io.plinth.api.cluster.JoinToken;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "cluster-token",
        description = "Issues a one-time token for a new node to join this cluster (run plinth:cluster-join TOKEN there)")
public class ClusterTokenCommand extends ClusterCommand {

    @Option(name = "-t", aliases = "--ttl", description = "Seconds the token is valid, 1 to 86400 (default 600)")
    Long ttlSeconds;

    @Override
    protected void run(ClusterService cluster) {
        JoinToken token = cluster.issueToken(ttlSeconds == null ? null : Duration.ofSeconds(ttlSeconds));
        System.out.println(token.token());
        System.out.println("Valid once, until " + token.expires() + ", at the seed " + token.seed());
    }
}
