package io.plinth.impl.shell;

import java.util.ArrayList;
import java.util.List;

import io.plinth.api.credentials.Credential;
import io.plinth.api.credentials.CredentialService;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "credential-list",
        description = "Lists the credentials: shareable data as key=value, secret fields as name? (their values never leave the service)")
public class CredentialListCommand extends CredentialCommand {

    @Override
    protected void run(CredentialService credentials) {
        ShellTable table = Tables.table("No credentials.", "Name", "Module", "Fields");
        for (Credential credential : credentials.list()) {
            table.addRow().addContent(credential.name(), credential.module(), String.join(" ", fields(credential)));
        }
        Tables.print(table);
        System.out.println("Modules: " + credentials.modules());
    }

    /** One line for a credential, as factotum shows keys: {@code name module key=value... secret?...}. */
    static String describe(Credential credential) {
        return credential.name() + " " + credential.module() + " " + String.join(" ", fields(credential));
    }

    private static List<String> fields(Credential credential) {
        List<String> fields = new ArrayList<>(KeyValues.entries(credential.shareable()));
        credential.secretFields().forEach(field -> fields.add(field + "?"));
        return fields;
    }
}
