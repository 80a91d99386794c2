package io.plinth.impl.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes group selectors. */
@Service
public class SelectorCompleter extends StringsCompleter {

    private static final String LEAST_LOADED = "least-loaded:";

    public SelectorCompleter() {
        super(new String[] {"any", "all", "local", LEAST_LOADED});
    }

    @Override
    public void completeCandidates(Session session, CommandLine commandLine, List<Candidate> candidates) {
        super.completeCandidates(session, commandLine, candidates);
        // least-loaded: still needs its attribute, so the cursor stays right after the colon.
        candidates.replaceAll(candidate -> candidate.value().endsWith(LEAST_LOADED)
                ? new Candidate(candidate.value(), false) : candidate);
    }
}
