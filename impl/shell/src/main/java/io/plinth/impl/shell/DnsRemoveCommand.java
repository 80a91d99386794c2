package io.plinth.impl.shell;

import io.plinth.api.discovery.DiscoveryService;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "dns-remove", description = "Withdraws a record set from the discovery zone")
public class DnsRemoveCommand extends DnsCommand {

    @Argument(index = 0, name = "name", required = true, description = "The name")
    String name;

    @Argument(index = 1, name = "type", required = true, description = "A, AAAA, SRV or TXT")
    String type;

    @Override
    protected void run(DiscoveryService discovery) {
        discovery.remove(name, type);
        System.out.println("Withdrew " + name + " " + type);
    }
}
