package io.plinth.impl.shell;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.plinth.api.credentials.Credential;
import io.plinth.api.credentials.CredentialService;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "plinth", name = "credential-add",
        description = "Adds a credential; each secret field is read from the terminal (not echoed) or from standard input, never from the command line")
public class CredentialAddCommand extends CredentialCommand {

    @Option(name = "-s", aliases = "--shareable", multiValued = true, description = "Shareable data, key=value (repeatable)")
    List<String> shareable;

    @Argument(index = 0, name = "name", required = true, description = "The credential's name")
    String name;

    @Argument(index = 1, name = "module", required = true, description = "Its module: hmac-sha256, aws-sigv4, jws, signature")
    String module;

    @Argument(index = 2, name = "secretFields", required = true, multiValued = true, description = "The names of its secret fields")
    List<String> secretFields;

    @Reference
    Session session;

    @Override
    protected void run(CredentialService credentials) {
        Map<String, char[]> secrets = new LinkedHashMap<>();
        try {
            for (String field : secretFields) {
                secrets.put(field, readSecret(field));
            }
            Credential added = credentials.add(caller(), name, module, KeyValues.parse(shareable), secrets);
            System.out.println("Added " + CredentialListCommand.describe(added));
        } finally {
            secrets.values().forEach(secret -> Arrays.fill(secret, '\0')); // when reading a later one failed, too
        }
    }

    /**
     * A secret from the terminal, not echoed (JLine hands it over as a String, which cannot be
     * wiped); without a terminal (ssh exec, scripts), a line of standard input, never a String.
     */
    private char[] readSecret(String field) {
        char[] secret;
        try {
            String line = session.readLine(field + "? ", '*');
            secret = line == null ? new char[0] : line.toCharArray();
        } catch (UnsupportedOperationException noTerminal) {
            secret = lineOfInput();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the secret field " + field + ": " + e.getMessage(), e);
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("no value given for the secret field " + field);
        }
        return secret;
    }

    /** One line of the session's input, decoded without ever becoming a String; every byte buffer is wiped. */
    private char[] lineOfInput() {
        byte[] line = new byte[64];
        int length = 0;
        try {
            InputStream in = session.getKeyboard();
            for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                if (b == '\r') {
                    continue;
                }
                if (length == line.length) {
                    byte[] larger = Arrays.copyOf(line, 2 * length);
                    Arrays.fill(line, (byte) 0);
                    line = larger;
                }
                line[length++] = (byte) b;
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(line, 0, length));
            char[] secret = new char[chars.remaining()];
            chars.get(secret);
            Arrays.fill(chars.array(), '\0');
            return secret;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read a secret from standard input: " + e.getMessage(), e);
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }
}
