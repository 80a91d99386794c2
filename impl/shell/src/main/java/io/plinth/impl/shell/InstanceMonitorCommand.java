package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-monitor",
        description = "Monitors an instance (Erlang style): the watcher receives a cast with operation "
                + ComponentController.DOWN + " when the target ends; the watcher itself is not affected")
public class InstanceMonitorCommand extends MonitorCommand {

    @Override
    protected void run(ComponentController controller) {
        controller.monitor(watcherId, targetId);
        System.out.println(watcherId + " monitors " + targetId);
    }
}
