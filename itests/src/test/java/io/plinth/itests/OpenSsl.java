package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code openssl} command line, as relying parties and admins use it, run in a work directory. */
final class OpenSsl {

    private final Path work;

    OpenSsl(Path work) {
        this.work = work;
    }

    /** Runs openssl; answers what it printed (standard output and error), whatever its exit status. */
    String run(String... arguments) throws Exception {
        return exec(arguments).printed();
    }

    /** Runs openssl and fails the test unless it exits with 0. */
    String succeed(String... arguments) throws Exception {
        Outcome outcome = exec(arguments);
        assertEquals(outcome.printed(), 0, outcome.exit());
        return outcome.printed();
    }

    private record Outcome(int exit, String printed) {
    }

    private Outcome exec(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("openssl " + arguments[0] + " did not finish", process.waitFor(30, TimeUnit.SECONDS));
        return new Outcome(process.exitValue(), printed);
    }
}
