package io.plinth.impl.shell;

import java.util.Collection;

import org.apache.karaf.shell.support.table.ShellTable;

/**
 * The name/value listing the show commands print for one object. A field with several values
 * takes one line per value, so long configurations stay readable.
 */
final class Fields {

    private final ShellTable table = new ShellTable().noHeaders();

    Fields() {
        table.column("Field");
        table.column("Value");
    }

    Fields add(String name, Object value) {
        table.addRow().addContent(name, value);
        return this;
    }

    Fields addEach(String name, Collection<String> values) {
        if (values.isEmpty()) {
            return add(name, "-");
        }
        String label = name;
        for (String value : values) {
            add(label, value);
            label = "";
        }
        return this;
    }

    void print() {
        Tables.print(table);
    }
}
