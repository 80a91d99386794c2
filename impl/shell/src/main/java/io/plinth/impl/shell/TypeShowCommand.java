package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;
import io.plinth.api.component.ComponentType;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "type-show", description = "Shows a component type with its configuration defaults")
public class TypeShowCommand extends TypeCommand {

    @Override
    protected void run(ComponentController controller) {
        ComponentType type = controller.type(name, version);
        new Fields()
                .add("name", type.name())
                .add("version", type.version())
                .add("kind", Tables.lower(type.kind()))
                .add("artifact", type.artifact())
                .add("component", type.component().isEmpty() ? "(from the Plinth-Component header)" : type.component())
                .addEach("defaults", KeyValues.entries(type.defaults()))
                .print();
    }
}
