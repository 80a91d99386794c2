package io.plinth.impl.shell;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import io.plinth.api.hub.Hub;
import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "call", description = "Sends a request and prints the replies")
public class CallCommand extends RequestCommand {

    @Option(name = "-e", aliases = "--expiry", description = "How many milliseconds to wait for replies (default 5000)")
    Long expiryMillis;

    @Option(name = "-o", aliases = "--object", description = "The component's object addressed (default: the component itself)")
    String object;

    @Override
    protected void run(Hub hub) {
        Request.Builder request = request();
        if (expiryMillis != null) {
            if (expiryMillis <= 0) {
                throw new IllegalArgumentException("the expiry must be at least 1 millisecond, not " + expiryMillis);
            }
            request.expiresIn(Duration.ofMillis(expiryMillis));
        }
        if (object != null) {
            request.object(object);
        }
        ShellTable table = Tables.table("No replies.", "Instance", "Outputs", "Attachments", "Error");
        for (Reply reply : hub.call(request.build())) {
            table.addRow().addContent(reply.instanceId(), KeyValues.format(reply.outputs()),
                    KeyValues.format(sizes(reply.attachments())), reply.failed() ? reply.error() : "");
        }
        Tables.print(table);
    }

    private static Map<String, String> sizes(Map<String, byte[]> attachments) {
        return attachments.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().length + " bytes"));
    }
}
