package io.plinth.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.plinth.api.component.Instance;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.hub.Hub;
import io.plinth.api.hub.HubEvent;
import io.plinth.api.hub.HubListener;
import io.plinth.api.hub.Member;
import io.plinth.api.hub.NameClaim;
import io.plinth.api.hub.NameOption;
import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Selector;
import io.plinth.api.hub.Target;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;

/** The hub's operations against real echo instances: selectors, call/cast, attributes, names, monitors. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HubIT extends PlinthTestSupport {

    @Before
    public void echoTypes() throws Exception {
        addExamples();
        controller.registerType(echoType("1.0.0"));
    }

    @Test
    public void selectorsPickTheRightMembers() {
        List<Instance> instances = createEcho("1.0.0", 3, List.of("sel"), Map.of());
        List<String> ids = instances.stream().map(Instance::id).toList();
        hub.putAttribute(Target.instance(ids.get(0)), "load", "5");
        hub.putAttribute(Target.instance(ids.get(1)), "load", "0.5");
        hub.putAttribute(Target.instance(ids.get(2)), "load", "9");

        assertEquals(3, hub.select("sel", Selector.ALL).size());
        assertEquals(1, hub.select("sel", Selector.ANY).size());
        assertEquals(1, hub.select("sel", Selector.LOCAL).size());
        assertEquals(ids.get(1), hub.select("sel", Selector.leastLoaded("load")).get(0).instanceId());

        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            reached.add(call(Target.group("sel"), Selector.ANY, "echo").instanceId());
        }
        assertEquals("any goes round-robin over every member", new HashSet<>(ids), reached);
        assertEquals(ids.get(1), call(Target.group("sel"), Selector.leastLoaded("load"), "echo").instanceId());

        // An unavailable member is no longer selected, and is again once available.
        call(Target.instance(ids.get(1)), Selector.ANY, "set-available", "available", "false");
        assertEquals(2, hub.select("sel", Selector.ALL).size());
        assertEquals(ids.get(0), hub.select("sel", Selector.leastLoaded("load")).get(0).instanceId());
        call(Target.instance(ids.get(1)), Selector.ANY, "set-available", "available", "true");
        assertEquals(3, hub.select("sel", Selector.ALL).size());
        destroyAll(instances);
    }

    @Test
    public void callAllRepliesPerMemberAndExpiryTimesOut() {
        List<Instance> instances = createEcho("1.0.0", 2, List.of("calls"), Map.of());
        List<Reply> replies = hub.call(Request.to(Target.group("calls")).selector(Selector.ALL).operation("echo")
                .input("message", "m").build());
        assertEquals(2, replies.size());
        assertNotEquals(replies.get(0).instanceId(), replies.get(1).instanceId());
        assertEquals(replies.get(0).correlation(), replies.get(1).correlation());
        assertFalse(replies.get(0).correlation().isEmpty());

        long start = System.nanoTime();
        try {
            hub.call(Request.to(Target.instance(instances.get(0).id())).operation("sleep").input("millis", "2000")
                    .expiresIn(Duration.ofMillis(200)).build());
            fail("a call past its expiry must fail");
        } catch (PlinthException e) {
            assertEquals(Reason.TIMEOUT, e.reason());
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("timed out after " + tookMillis + " ms", tookMillis >= 150 && tookMillis < 1500);

        List<Reply> partial = hub.call(Request.to(Target.group("calls")).selector(Selector.ALL).operation("sleep")
                .input("millis", "2000").expiresIn(Duration.ofMillis(200)).build());
        assertEquals(2, partial.size());
        assertTrue(partial.get(0).error().startsWith("timeout"));

        // With "all", a member that does not answer in time is a reply with an error, even when it is the only one.
        hub.register(instances.get(0).id(), "solo");
        List<Reply> alone = hub.call(Request.to(Target.group("solo")).selector(Selector.ALL).operation("sleep")
                .input("millis", "2000").expiresIn(Duration.ofMillis(100)).build());
        assertTrue(alone.get(0).error().startsWith("timeout"));

        Reply failed = call(Target.instance(instances.get(0).id()), Selector.ANY, "fail");
        assertTrue(failed.error(), failed.failed());

        byte[] blob = new byte[] {0, 1, 2, (byte) 255};
        Reply copy = hub.call(Request.to(Target.instance(instances.get(1).id())).operation("attachments")
                .attachment("blob", blob).build()).get(0);
        assertArrayEquals(blob, copy.attachments().get("blob"));

        try {
            hub.call(Request.to(Target.group("nobody-here")).operation("echo").build());
            fail("a call to an empty group must fail");
        } catch (PlinthException e) {
            assertEquals(Reason.NOT_FOUND, e.reason());
        }
        destroyAll(instances);
    }

    @Test
    public void castReachesEveryMemberWithoutWaiting() throws Exception {
        List<Instance> watchers = createEcho("1.0.0", 2, List.of("casts"), Map.of());
        hub.cast(Request.to(Target.group("casts")).selector(Selector.ALL).operation(
                io.plinth.api.component.ComponentController.DOWN).input("instance", "x").input("reason", "cast").build());
        for (Instance watcher : watchers) {
            awaitOutput(watcher.id(), "downs", "x cast");
        }
        destroyAll(watchers);
    }

    @Test
    public void groupMonitorAttributesAndWaitForMember() throws Exception {
        BlockingQueue<HubEvent> events = new LinkedBlockingQueue<>();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(HubListener.SUBJECT, new String[] {"watched", "group:watched"});
        ServiceRegistration<HubListener> registration = bundleContext.registerService(HubListener.class, events::add, properties);
        try {
            CompletableFuture<Member> waiter = CompletableFuture.supplyAsync(() -> hub.awaitMember("watched", Duration.ofSeconds(20)));
            Thread.sleep(200);
            assertFalse("nobody joined yet", waiter.isDone());
            List<Instance> instances = createEcho("1.0.0", 1, List.of("watched"), Map.of());
            String id = instances.get(0).id();
            assertEquals(id, waiter.get(10, TimeUnit.SECONDS).instanceId());

            HubEvent joined = events.poll(5, TimeUnit.SECONDS);
            assertEquals(HubEvent.Kind.MEMBER_JOINED, joined.kind());
            assertEquals(id, joined.instanceId());

            try {
                hub.putAttribute(Target.instance(id), Hub.AVAILABLE_ATTRIBUTE, "false");
                fail("the platform's attributes are not for everybody to set");
            } catch (PlinthException e) {
                assertEquals(Reason.INVALID, e.reason());
            }
            hub.putAttribute(Target.group("watched"), "leader", id);
            assertEquals(Map.of("leader", id), hub.attributes(Target.group("watched")));
            HubEvent changed = events.poll(5, TimeUnit.SECONDS);
            assertEquals(HubEvent.Kind.ATTRIBUTE_CHANGED, changed.kind());
            assertEquals("leader", changed.attribute());

            assertEquals(1, hub.register(id, "second"));
            assertEquals(0, hub.unregister(id, "second"));

            controller.destroy(id, "test", Duration.ofSeconds(1));
            HubEvent left = events.poll(5, TimeUnit.SECONDS);
            assertEquals(HubEvent.Kind.MEMBER_LEFT, left.kind());
            try {
                hub.awaitMember("watched", Duration.ofMillis(100));
                fail("an empty group times out");
            } catch (PlinthException e) {
                assertEquals(Reason.TIMEOUT, e.reason());
            }
        } finally {
            registration.unregister();
        }
    }

    @Test
    public void uniqueNamesHaveAnOwnerQueue() throws Exception {
        List<Instance> instances = createEcho("1.0.0", 3, List.of(), Map.of());
        String a = instances.get(0).id();
        String b = instances.get(1).id();
        String c = instances.get(2).id();
        assertEquals(NameClaim.OWNER, hub.claimName("leader", a, NameOption.QUEUE));
        assertEquals(NameClaim.QUEUED, hub.claimName("leader", b, NameOption.QUEUE));
        assertEquals(NameClaim.EXISTS, hub.claimName("leader", c, NameOption.DO_NOT_QUEUE));
        assertEquals(List.of(a, b), hub.nameQueue("leader"));
        assertEquals(a, call(Target.name("leader"), Selector.ANY, "echo").instanceId());

        assertEquals(NameClaim.OWNER, hub.claimName("leader", c, NameOption.REPLACE));
        assertEquals(List.of(c, a, b), hub.nameQueue("leader"));
        hub.releaseName("leader", c);
        assertEquals(a, hub.nameOwner("leader").orElseThrow());

        // The owner going away hands the name to the next in the queue.
        controller.destroy(a, "test", Duration.ofSeconds(1));
        assertEquals(b, hub.nameOwner("leader").orElseThrow());
        destroyAll(instances);
    }

    private Reply call(Target target, Selector selector, String operation, String... inputs) {
        Request.Builder request = Request.to(target).selector(selector).operation(operation);
        for (int i = 0; i + 1 < inputs.length; i += 2) {
            request.input(inputs[i], inputs[i + 1]);
        }
        return hub.call(request.build()).get(0);
    }

    private void awaitOutput(String instanceId, String operation, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        String last = null;
        while (System.currentTimeMillis() < deadline) {
            last = call(Target.instance(instanceId), Selector.ANY, operation).output(operation);
            if (last != null && last.contains(expected)) {
                return;
            }
            Thread.sleep(20);
        }
        fail(instanceId + " answered " + last + ", expected " + expected);
    }

    private void destroyAll(List<Instance> instances) {
        List<Instance> copy = new ArrayList<>(instances);
        Collections.reverse(copy);
        for (Instance instance : copy) {
            if (controller.instances().stream().anyMatch(i -> i.id().equals(instance.id()))) {
                controller.destroy(instance.id(), "test over", Duration.ofSeconds(1));
            }
        }
    }
}
