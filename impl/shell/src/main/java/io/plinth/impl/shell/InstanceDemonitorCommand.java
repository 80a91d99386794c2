package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "instance-demonitor", description = "Removes a monitor set with instance-monitor")
public class InstanceDemonitorCommand extends MonitorCommand {

    @Override
    protected void run(ComponentController controller) {
        controller.demonitor(watcherId, targetId);
        System.out.println(watcherId + " no longer monitors " + targetId);
    }
}
