package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The admin's way in: the plinth: commands in a real Karaf shell session. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT extends PlinthTestSupport {

    @Inject
    private SessionFactory sessions;

    /** What one command printed, on standard output and standard error. */
    private record Printed(String out, String err) {
    }

    @Test
    public void deployCallAndInspectFromTheShell() throws Exception {
        run("feature:repo-add " + EXAMPLES);
        assertEquals("", run("plinth:type-register echo 1.0.0 " + ECHO_1).err());
        assertEquals("", run("plinth:type-register echo 2.0.0 " + ECHO_2).err());
        assertTrue(run("plinth:type-list").out().contains("mvn:io.plinth.examples/echo/2.0.0"));

        Printed created = run("plinth:instance-create -n 3 -g shell echo 1.0.0");
        assertEquals(created.out() + created.err(), 3, count(created.out(), "available"));
        assertEquals(3, count(run("plinth:instance-create -n 3 -g shell echo 2.0.0").out(), "available"));
        assertEquals(6, count(run("plinth:instance-list").out(), "available"));
        assertTrue(run("plinth:group-list").out().contains("shell"));
        assertEquals(6, count(run("plinth:group-members shell").out(), "echo"));

        Printed replies = run("plinth:call -s all group:shell echo message=hi");
        assertEquals(replies.out(), 3, count(replies.out(), "message=hi"));
        assertEquals(replies.out(), 3, count(replies.out(), "message=HI"));

        String id = hub.members("shell").get(0).instanceId();
        run("plinth:attr-set instance:" + id + " load 7");
        assertTrue(run("plinth:attr-get instance:" + id).out().contains("7"));
        run("plinth:attr-set instance:" + id + " load -1");
        assertTrue(run("plinth:call -s least-loaded:load group:shell echo message=x").out().contains(id));
        assertEquals("sent", run("plinth:cast group:shell echo").out().trim());

        assertTrue(run("plinth:type-register echo 1.0 " + ECHO_1).err().contains("bad version"));
        assertTrue(run("plinth:instance-create echo 9.9.9").err().contains("no type echo/9.9.9"));
        assertTrue(run("plinth:call planet:x echo").err().startsWith("Error: "));
        assertTrue(run("plinth:call group:shell echo novalue").err().contains("key=value"));

        for (String line : run("plinth:instance-list").out().split("\n")) {
            String first = line.trim().split("\\s+")[0];
            if (first.matches("[0-9a-f]{40}")) {
                assertEquals("", run("plinth:instance-destroy --grace 1 " + first).err());
            }
        }
        assertEquals(0, count(run("plinth:instance-list").out(), "available"));
    }

    private Printed run(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Session session = sessions.create(System.in, outStream, errStream);
            session.execute(command);
            session.close();
        }
        return new Printed(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static int count(String text, String word) {
        return (int) Arrays.stream(text.split("\n")).filter(line -> line.contains(word)).count();
    }
}
