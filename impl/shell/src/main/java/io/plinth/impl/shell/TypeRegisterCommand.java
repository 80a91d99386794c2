package io.plinth.impl.shell;

import java.util.List;
import java.util.Locale;

import io.plinth.api.component.ComponentController;
import io.plinth.api.component.ComponentKind;
import io.plinth.api.component.ComponentType;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "type-register", description = "Registers a component type: one exact version of a component's code")
public class TypeRegisterCommand extends TypeCommand {

    @Argument(index = 2, name = "artifact", required = true,
            description = "Where the code comes from: a mvn: or file: URL for a bundle, a feature name for a feature")
    String artifact;

    @Option(name = "-k", aliases = "--kind", description = "How the code is delivered: bundle (default) or feature")
    @Completion(KindCompleter.class)
    String kind = "bundle";

    @Option(name = "-p", aliases = "--pid",
            description = "The configuration PID of the component to run (default: the bundle's Plinth-Component header)")
    String component;

    @Option(name = "-d", aliases = "--default", multiValued = true,
            description = "A configuration default every instance starts from, key=value (repeatable)")
    List<String> defaults;

    @Override
    protected void run(ComponentController controller) {
        ComponentType type = new ComponentType(name, version, parseKind(), artifact, component, KeyValues.parse(defaults));
        Tables.printTypes(List.of(controller.registerType(type)));
    }

    private ComponentKind parseKind() {
        try {
            return ComponentKind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown kind '" + kind + "': use bundle or feature");
        }
    }
}
