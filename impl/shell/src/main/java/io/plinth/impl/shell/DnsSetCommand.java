package io.plinth.impl.shell;

import java.util.List;

import io.plinth.api.discovery.DiscoveryService;
import io.plinth.api.discovery.DnsRecord;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "dns-set", description = "Publishes (or replaces) a record set in the discovery zone")
public class DnsSetCommand extends DnsCommand {

    @Option(name = "-t", aliases = "--ttl", description = "Seconds resolvers may cache it (default 30)")
    int ttlSeconds = 30;

    @Argument(index = 0, name = "name", required = true, description = "The name, relative to the zone or absolute inside it")
    String name;

    @Argument(index = 1, name = "type", required = true, description = "A, AAAA, SRV or TXT")
    String type;

    @Argument(index = 2, name = "values", required = true, multiValued = true,
            description = "Its values: an address, \"PRIORITY WEIGHT PORT TARGET\", or text")
    List<String> values;

    @Override
    protected void run(DiscoveryService discovery) {
        DnsRecord published = discovery.put(new DnsRecord(name, type, values, ttlSeconds));
        System.out.println("Published " + published.name() + " " + published.type() + ": " + String.join(" | ", published.values()));
    }
}
