package io.plinth.impl.shell;

import java.util.List;
import java.util.Map;

import io.plinth.api.credentials.CredentialService;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "credential-sign", description = "Runs an operation of a credential's module (sign, sign-request) and prints its outputs")
public class CredentialSignCommand extends CredentialCommand {

    @Argument(index = 0, name = "name", required = true, description = "The credential")
    String name;

    @Argument(index = 1, name = "operation", required = true, description = "The operation: sign (hmac-sha256, jws, signature), sign-request (aws-sigv4)")
    String operation;

    @Argument(index = 2, name = "inputs", multiValued = true, description = "Inputs, key=value: message=..., payload={...}, method=GET uri=/ ...")
    List<String> inputs;

    @Override
    protected void run(CredentialService credentials) {
        Map<String, String> outputs = credentials.run(caller(), name, operation, KeyValues.parse(inputs));
        outputs.forEach((key, value) -> System.out.println(key + ": " + value));
    }
}
