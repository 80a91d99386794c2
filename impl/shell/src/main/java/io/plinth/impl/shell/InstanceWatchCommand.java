package io.plinth.impl.shell;

import java.util.List;
import java.util.function.Consumer;

import io.plinth.api.component.InstanceEvent;
import io.plinth.api.component.InstanceListener;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.ServiceRegistration;

@Service
@Command(scope = "plinth", name = "instance-watch",
        description = "Prints instance state changes as they happen, for a while")
public class InstanceWatchCommand extends WatchCommand<InstanceEvent> {

    private static final String LINE = "%-12s  %-40s  %-12s  %s";

    @Argument(index = 0, name = "ids", multiValued = true, description = "The instances to watch (default: all)")
    @Completion(InstanceIdCompleter.class)
    List<String> instanceIds;

    @Override
    protected ServiceRegistration<?> listen(Consumer<InstanceEvent> sink) {
        InstanceListener listener = sink::accept;
        return bundleContext.registerService(InstanceListener.class, listener,
                onlySubjects(InstanceListener.INSTANCE, instanceIds));
    }

    @Override
    protected String header() {
        return String.format(LINE, "Time", "Instance", "State", "Reason");
    }

    @Override
    protected String line(InstanceEvent event) {
        return String.format(LINE, time(event.time()), event.instanceId(), Tables.lower(event.state()),
                event.reason() == null ? "" : event.reason());
    }
}
