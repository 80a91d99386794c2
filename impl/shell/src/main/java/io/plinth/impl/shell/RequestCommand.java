package io.plinth.impl.shell;

import java.util.List;

import io.plinth.api.hub.Request;
import io.plinth.api.hub.Selector;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;

/** Base of call and cast: TARGET OPERATION [key=value ...] [-s selector]. */
abstract class RequestCommand extends TargetCommand {

    /** How requests from the shell name their caller. */
    private static final String CALLER = "shell";

    @Argument(index = 1, name = "operation", required = true, description = "The operation to perform")
    String operation;

    @Argument(index = 2, name = "inputs", multiValued = true, description = "The request's inputs, key=value")
    List<String> inputs;

    @Option(name = "-s", aliases = "--selector",
            description = "Which members of a group receive it: any (default), all, local or least-loaded:ATTRIBUTE")
    @Completion(SelectorCompleter.class)
    String selector;

    /** The request as far as call and cast share it. */
    protected Request.Builder request() {
        return Request.to(target())
                .operation(operation)
                .inputs(KeyValues.parse(inputs))
                .selector(selector == null ? Selector.ANY : Selector.parse(selector))
                .caller(CALLER);
    }
}
