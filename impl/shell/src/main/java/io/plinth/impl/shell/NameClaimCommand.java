package io.plinth.impl.shell;

import java.util.Locale;

import io.plinth.api.hub.Hub;
import io.plinth.api.hub.NameOption;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "name-claim",
        description = "Claims a unique name for an instance and prints the answer: OWNER, QUEUED or EXISTS")
public class NameClaimCommand extends HubCommand {

    @Argument(index = 0, name = "name", required = true, description = "The unique name")
    String name;

    @Argument(index = 1, name = "id", required = true, description = "The id of the instance that claims it")
    @Completion(InstanceIdCompleter.class)
    String instanceId;

    @Option(name = "-o", aliases = "--option",
            description = "When another instance owns the name: replace (take it over), queue (wait for it)"
                    + " or do-not-queue (give up: EXISTS; the default)")
    @Completion(NameOptionCompleter.class)
    String option = "do-not-queue";

    @Override
    protected void run(Hub hub) {
        System.out.println(hub.claimName(name, instanceId, parseOption()).name());
    }

    private NameOption parseOption() {
        try {
            return NameOption.valueOf(option.trim().replace('-', '_').toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown option '" + option + "': use replace, queue or do-not-queue");
        }
    }
}
