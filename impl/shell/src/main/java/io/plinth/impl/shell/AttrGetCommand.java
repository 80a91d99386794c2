package io.plinth.impl.shell;

import java.util.Map;
import java.util.TreeMap;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "attr-get", description = "Lists the attributes of an instance or a group")
public class AttrGetCommand extends TargetCommand {

    @Override
    protected void run(Hub hub) {
        ShellTable table = Tables.table("No attributes.", "Name", "Value");
        for (Map.Entry<String, String> attribute : new TreeMap<>(hub.attributes(target())).entrySet()) {
            table.addRow().addContent(attribute.getKey(), attribute.getValue());
        }
        Tables.print(table);
    }
}
