package io.plinth.impl.shell;

import io.plinth.api.hub.Hub;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "cast", description = "Sends a request without waiting for any answer")
public class CastCommand extends RequestCommand {

    @Override
    protected void run(Hub hub) {
        hub.cast(request().build());
        System.out.println("sent");
    }
}
