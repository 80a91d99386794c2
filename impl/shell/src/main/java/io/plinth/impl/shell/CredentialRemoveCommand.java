package io.plinth.impl.shell;

import io.plinth.api.credentials.CredentialService;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "credential-remove", description = "Removes a credential and its secrets")
public class CredentialRemoveCommand extends CredentialCommand {

    @Argument(index = 0, name = "name", required = true, description = "The credential")
    String name;

    @Override
    protected void run(CredentialService credentials) {
        credentials.remove(caller(), name);
        System.out.println("Removed credential " + name);
    }
}
