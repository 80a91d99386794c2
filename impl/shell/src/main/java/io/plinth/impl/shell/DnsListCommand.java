package io.plinth.impl.shell;

import io.plinth.api.discovery.DiscoveryService;
import io.plinth.api.discovery.DnsRecord;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "dns-list", description = "Lists the records agents published in the discovery zone")
public class DnsListCommand extends DnsCommand {

    @Override
    protected void run(DiscoveryService discovery) {
        System.out.println("Zone " + discovery.zone() + " (hub groups, instances and nodes are answered from the hub)");
        ShellTable table = Tables.table("No published records.", "Name", "Type", "TTL", "Values");
        for (DnsRecord record : discovery.records()) {
            table.addRow().addContent(record.name(), record.type(), record.ttlSeconds(), String.join(" | ", record.values()));
        }
        Tables.print(table);
    }
}
