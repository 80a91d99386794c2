package io.plinth.impl.shell;

import java.util.List;
import java.util.function.Consumer;

import io.plinth.api.hub.HubEvent;
import io.plinth.api.hub.HubListener;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.ServiceRegistration;

@Service
@Command(scope = "plinth", name = "group-watch",
        description = "Prints hub events (members joining and leaving, attributes, name owners) as they happen, for a while")
public class GroupWatchCommand extends WatchCommand<HubEvent> {

    private static final String LINE = "%-12s  %-17s  %-24s  %-40s  %s";

    @Argument(index = 0, name = "groups", multiValued = true,
            description = "The groups (or unique names, or targets such as instance:ID) to watch (default: all)")
    @Completion(GroupNameCompleter.class)
    List<String> subjects;

    @Override
    protected ServiceRegistration<?> listen(Consumer<HubEvent> sink) {
        HubListener listener = sink::accept;
        return bundleContext.registerService(HubListener.class, listener, onlySubjects(HubListener.SUBJECT, subjects));
    }

    @Override
    protected String header() {
        return String.format(LINE, "Time", "Event", "Subject", "Instance", "Attribute");
    }

    @Override
    protected String line(HubEvent event) {
        return String.format(LINE, time(event.time()), Tables.lower(event.kind()), event.subject(),
                event.instanceId() == null ? "" : event.instanceId(), attributeChange(event));
    }

    private static String attributeChange(HubEvent event) {
        if (event.kind() != HubEvent.Kind.ATTRIBUTE_CHANGED) {
            return "";
        }
        return event.value() == null ? event.attribute() + " removed" : event.attribute() + "=" + event.value();
    }
}
