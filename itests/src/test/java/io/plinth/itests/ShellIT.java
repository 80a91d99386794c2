package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import javax.inject.Inject;

import io.plinth.api.hub.Member;
import io.plinth.api.hub.Target;

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

    /**
     * What one command printed on standard output, and its error: what it printed on standard
     * error plus, when it failed, the message of the exception the session threw (Karaf's
     * console would print it as {@code Error executing command: MESSAGE}).
     */
    private record Printed(String out, String err) {
    }

    /** The shell registers a bundle's commands a moment after the bundle starts. */
    @org.junit.Before
    public void awaitCommands() throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (run("plinth:type-list").err().contains("Command not found") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }

    @Test
    public void deployCallAndInspectFromTheShell() throws Exception {
        assertEquals("", run("feature:repo-add " + EXAMPLES).err());
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
        assertEquals("", run("plinth:attr-set instance:" + id + " load 7").err());
        assertTrue(run("plinth:attr-get instance:" + id).out().contains("7"));
        assertEquals("", run("plinth:attr-set instance:" + id + " load -1").err());
        assertTrue(run("plinth:call -s least-loaded:load group:shell echo message=x").out().contains(id));
        assertEquals("sent", run("plinth:cast group:shell echo").out().trim());

        // Errors fail the command: the session throws, and nothing is printed as if it had worked.
        Printed badVersion = run("plinth:type-register echo 1.0 " + ECHO_1);
        assertTrue(badVersion.err(), badVersion.err().contains("bad version"));
        assertEquals("", badVersion.out());
        assertTrue(run("plinth:instance-create echo 9.9.9").err().contains("no type echo/9.9.9"));
        assertTrue(run("plinth:call planet:x echo").err().contains("unknown target kind in 'planet:x'"));
        assertTrue(run("plinth:call group:shell echo novalue").err().contains("key=value"));
        Printed reserved = run("plinth:attr-set instance:" + id + " plinth.available false");
        assertTrue(reserved.err(), reserved.err().contains("attribute names starting with plinth. are the platform's"));
        assertEquals("", reserved.out());
        assertFalse(hub.attributes(Target.instance(id)).containsKey("plinth.available"));

        groupsNamesAndMonitors();

        for (String line : run("plinth:instance-list").out().split("\n")) {
            String first = line.trim().split("\\s+")[0];
            if (first.matches("[0-9a-f]{40}")) {
                assertEquals("", run("plinth:instance-destroy --grace 1 " + first).err());
            }
        }
        assertEquals(0, count(run("plinth:instance-list").out(), "available"));
    }

    @Test
    public void clusterCommandsSayWhatIsMissing() throws Exception {
        assertTrue(run("plinth:cluster-status").out().contains("is in no cluster"));
        assertTrue(run("plinth:cluster-members").out().contains("No members"));
        assertTrue(run("plinth:cluster-token").err().contains("in no cluster"));
        assertTrue(run("plinth:cluster-join nonsense").err().contains("plinth-join."));
        assertTrue(run("plinth:cluster-init Bad_Name").err().contains("lowercase"));
        assertTrue(run("plinth:platform-upgrade --dry-run 0.2.0-SNAPSHOT").err().contains("released build"));
        assertTrue(run("plinth:platform-upgrade --cluster --dry-run 0.2.0").err().contains("not connected to a cluster"));
        assertTrue(run("plinth:platform-upgrade-status").err().contains("no platform upgrade has run"));
    }

    /** The shell bundle is itself replaced while the command follows the upgrade. */
    @Test
    public void thePlatformUpgradesItselfFromTheShell() throws Exception {
        Releases.publish(java.nio.file.Path.of(System.getProperty("karaf.home"), "system"), "0.1.1", false, false);
        Printed plan = run("plinth:platform-upgrade --dry-run 0.1.1");
        assertTrue(plan.out() + plan.err(), plan.out().contains("io.plinth.hub") && plan.out().contains("mvn:io.plinth/plinth-hub/0.1.1"));
        Printed upgraded = run("plinth:platform-upgrade 0.1.1");
        assertEquals(upgraded.out(), "", upgraded.err());
        assertTrue(upgraded.out(), upgraded.out().contains("Upgrade to 0.1.1: succeeded"));
        assertTrue(run("plinth:platform-upgrade --dry-run 0.1.1").out().contains("nothing to change"));
        assertTrue(run("plinth:platform-upgrade-status").out().contains("succeeded"));
    }

    @Test
    public void gatewayUpgradesFromTheShell() throws Exception {
        Printed first = run("plinth:upgrade-start 1 127.0.0.1:1034");
        assertEquals(first.err(), "", first.err());
        String firstId = first.out().trim().split("\\s+")[0];
        Printed second = run("plinth:upgrade-start -m gradual -p 20 2 127.0.0.1:1035");
        String secondId = second.out().trim().split("\\s+")[0];
        assertTrue(second.out(), second.out().contains("GRADUAL 20 %"));
        assertTrue(run("plinth:route-show").out().contains(secondId));

        assertEquals("", run("plinth:upgrade-rollback --reason tried " + secondId).err());
        assertTrue(run("plinth:route-show").out().contains("rolled back"));
        assertTrue(run("plinth:upgrade-rollback " + firstId).err().contains("last one serving"));
        assertTrue(run("plinth:upgrade-start -m session 3 127.0.0.1:1036").err().contains("-t"));
        assertTrue(run("plinth:upgrade-start 3 nowhere").err().contains("host:port"));
        assertTrue(run("plinth:upgrade-start 3").err().contains("-g GROUP"));
        assertTrue(run("plinth:upgrade-start -g web 3 127.0.0.1:1036").err().contains("one of the two"));
        Printed grouped = run("plinth:upgrade-start -g web -m gradual -p 10 3");
        assertTrue(grouped.out() + grouped.err(), grouped.out().contains("on group web, GRADUAL 10 %"));
        assertEquals("", run("plinth:upgrade-remove " + grouped.out().trim().split("\\s+")[0]).err());

        assertTrue(run("plinth:route-add -p /api api").out().contains("under /api"));
        assertTrue(run("plinth:route-list").out().contains("/api"));
        assertEquals("", run("plinth:upgrade-start -r api 1 127.0.0.1:1037").err());
        assertEquals("", run("plinth:route-remove api").err());
        assertTrue(run("plinth:route-remove default").err().contains("cannot be removed"));

        assertEquals("", run("plinth:upgrade-promote " + firstId).err());
        assertTrue(!run("plinth:route-show").out().contains(secondId));
        assertEquals("", run("plinth:upgrade-remove " + firstId).err());
        assertTrue(run("plinth:route-list").out().contains("default"));
    }

    /** Joining and leaving groups, claiming and releasing names, and monitors, on the shell instances. */
    private void groupsNamesAndMonitors() throws Exception {
        List<String> ids = hub.members("shell").stream().map(Member::instanceId).toList();
        String a = ids.get(0);
        String b = ids.get(1);
        String watcher = ids.get(2);
        String target = ids.get(3);
        String spared = ids.get(4);

        assertEquals(a + " joined pair: 1 member", run("plinth:group-join " + a + " pair").out().trim());
        assertEquals(b + " joined pair: 2 members", run("plinth:group-join " + b + " pair").out().trim());
        assertEquals(2, hub.members("pair").size());
        assertEquals(a + " left pair: 1 member left", run("plinth:group-leave " + a + " pair").out().trim());
        assertEquals(List.of(b), hub.members("pair").stream().map(Member::instanceId).toList());
        assertEquals(b + " left pair: 0 members left", run("plinth:group-leave " + b + " pair").out().trim());
        assertFalse(hub.groups().contains("pair"));
        assertTrue(run("plinth:group-join nobody pair").err().contains("no instance nobody"));

        assertEquals("OWNER", run("plinth:name-claim boss " + a).out().trim());
        assertEquals("QUEUED", run("plinth:name-claim -o queue boss " + b).out().trim());
        assertEquals("EXISTS", run("plinth:name-claim boss " + watcher).out().trim());
        assertTrue(run("plinth:name-claim -o sometimes boss " + watcher).err().contains("do-not-queue"));
        assertEquals(List.of(a, b), hub.nameQueue("boss"));
        assertTrue(run("plinth:name-release boss " + a).out().contains("owner now: " + b));
        assertEquals(b, hub.nameOwner("boss").orElseThrow());
        String shown = run("plinth:name-show boss").out();
        assertTrue(shown, shown.contains(b) && !shown.contains(a));
        assertTrue(run("plinth:name-release boss " + b).out().contains("owner now: none"));
        assertTrue(hub.nameOwner("boss").isEmpty());

        assertEquals(watcher + " monitors " + target, run("plinth:instance-monitor " + watcher + " " + target).out().trim());
        assertEquals("", run("plinth:instance-monitor " + watcher + " " + spared).err());
        assertEquals("", run("plinth:instance-demonitor " + watcher + " " + spared).err());
        assertEquals("", run("plinth:instance-destroy --grace 1 " + target).err());
        awaitDowns(watcher, target);
        assertEquals("", run("plinth:instance-destroy --grace 1 " + spared).err());
        Thread.sleep(300);
        assertFalse(downs(watcher).contains(spared));
        // The instance is gone: asking for it again fails the command instead of printing nothing.
        assertTrue(run("plinth:instance-terminate " + target).err().contains(target));
    }

    /** What the echo instance {@code watcher} heard as plinth.down casts, through plinth:call. */
    private String downs(String watcher) throws Exception {
        Printed printed = run("plinth:call instance:" + watcher + " downs");
        assertEquals("", printed.err());
        return printed.out();
    }

    private void awaitDowns(String watcher, String expected) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        String downs = "";
        while (System.currentTimeMillis() < deadline) {
            downs = downs(watcher);
            if (downs.contains(expected)) {
                return;
            }
            Thread.sleep(50);
        }
        fail("the monitor heard " + downs);
    }

    /** Runs one command in a fresh session; a failed command's exception message lands in {@code err}. */
    private Printed run(String command) throws Exception {
        return run(command, "");
    }

    /** Runs a command that reads {@code input} (a secret, say) from the session. */
    private Printed run(String command, String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String failure = "";
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Session session = sessions.create(new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), outStream, errStream);
            try {
                session.execute(command);
            } catch (Exception e) {
                failure = e.getMessage() != null ? e.getMessage() : e.toString();
            } finally {
                session.close();
            }
        }
        return new Printed(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + failure);
    }

    @Test
    public void credentialsAreUsedFromTheShellWithoutEverShowingTheirSecret() throws Exception {
        String secret = "shell-secret-" + System.nanoTime();
        Printed added = run("plinth:credential-add shell-hmac hmac-sha256 key", secret + "\n");
        assertEquals("", added.err());
        assertTrue(added.out(), added.out().contains("Added shell-hmac hmac-sha256 key?"));
        Printed listed = run("plinth:credential-list");
        assertTrue(listed.out(), listed.out().contains("key?"));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = java.util.HexFormat.of().formatHex(mac.doFinal("hello".getBytes(StandardCharsets.UTF_8)));
        Printed signed = run("plinth:credential-sign shell-hmac sign message=hello");
        assertTrue(signed.out() + signed.err(), signed.out().contains("signature: " + expected));
        for (Printed printed : List.of(added, listed, signed)) {
            assertFalse("the secret printed", (printed.out() + printed.err()).contains(secret));
        }
        assertTrue(run("plinth:credential-add shell-empty hmac-sha256 key", "").err().contains("no value given for the secret field key"));
        assertEquals("", run("plinth:credential-remove shell-hmac").err());
    }

    private static int count(String text, String word) {
        return (int) Arrays.stream(text.split("\n")).filter(line -> line.contains(word)).count();
    }
}
