package io.plinth.impl.shell;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import io.plinth.api.component.ComponentType;
import io.plinth.api.component.Instance;

import org.apache.karaf.shell.support.table.ShellTable;

/** Table helpers shared by the commands, so that every listing looks alike. */
final class Tables {

    private Tables() {
    }

    /** A table with these column titles that prints {@code emptyText} when it has no rows. */
    static ShellTable table(String emptyText, String... titles) {
        ShellTable table = new ShellTable().emptyTableText(emptyText);
        for (String title : titles) {
            table.column(title);
        }
        return table;
    }

    static void print(ShellTable table) {
        table.print(System.out);
    }

    static void printTypes(List<ComponentType> types) {
        ShellTable table = table("No component types.", "Name", "Version", "Kind", "Artifact", "Component");
        for (ComponentType type : types) {
            table.addRow().addContent(type.name(), type.version(), lower(type.kind()), type.artifact(), type.component());
        }
        print(table);
    }

    static void printInstances(List<Instance> instances) {
        ShellTable table = table("No instances.", "Id", "Type", "Version", "State", "Node", "Groups");
        for (Instance instance : instances) {
            table.addRow().addContent(instance.id(), instance.type(), instance.version(),
                    lower(instance.state()), instance.node(), joined(instance.groups()));
        }
        print(table);
    }

    /** Enum constants read as the commands accept them: lower case. */
    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** Sorted, on one line, for a table cell. */
    static String joined(Collection<String> values) {
        return String.join(", ", new TreeSet<>(values));
    }
}
