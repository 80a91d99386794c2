package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import java.time.Duration;
import java.util.Hashtable;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.plinth.api.component.ComponentKind;
import io.plinth.api.component.ComponentType;
import io.plinth.api.component.Instance;
import io.plinth.api.component.InstanceEvent;
import io.plinth.api.component.InstanceListener;
import io.plinth.api.component.InstanceSpec;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.component.InstanceState;
import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Selector;
import io.plinth.api.hub.Target;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ComponentLifecycleIT extends PlinthTestSupport {

    @Test
    public void twoVersionsRunSideBySideAndAnswerDifferently() throws Exception {
        addExamples();
        controller.registerType(echoType("1.0.0"));
        controller.registerType(echoType("2.0.0"));
        List<Instance> ones = createEcho("1.0.0", 3, List.of("echo"), Map.of());
        List<Instance> twos = createEcho("2.0.0", 3, List.of("echo"), Map.of());
        assertEquals(3, ones.size());
        assertEquals(3, twos.size());
        for (Instance instance : ones) {
            assertEquals(InstanceState.AVAILABLE, instance.state());
        }
        assertEquals(6, hub.members("echo").size());

        List<Reply> replies = hub.call(Request.to(Target.group("echo")).selector(Selector.ALL)
                .operation("echo").input("message", "hello").build());
        assertEquals(6, replies.size());
        Map<String, Long> answers = replies.stream().collect(Collectors.groupingBy(r -> r.output("message"), Collectors.counting()));
        assertEquals(Map.of("hello", 3L, "HELLO", 3L), answers);
        Set<String> versions = replies.stream().map(r -> r.output("version")).collect(Collectors.toSet());
        assertEquals(Set.of("1.0.0", "2.0.0"), versions);
        for (Instance instance : ones) {
            Reply reply = hub.call(Request.to(Target.instance(instance.id())).operation("echo").input("message", "x").build()).get(0);
            assertEquals("1.0.0", reply.output("version"));
            assertEquals(instance.id(), reply.instanceId());
        }
        for (Instance instance : controller.instances()) {
            controller.destroy(instance.id(), "test over", Duration.ofSeconds(1));
        }
        assertTrue(controller.instances().isEmpty());
        assertEquals(List.of(), hub.members("echo"));
    }

    @Test
    public void terminateIsPoliteDestroyIsNot() throws Exception {
        addExamples();
        controller.registerType(echoType("1.0.0"));
        Instance stubborn = createEcho("1.0.0", 1, List.of("stubborn"), Map.of("refuse-stop", "true")).get(0);
        try {
            controller.terminate(stubborn.id(), "please");
            fail("the instance refuses to terminate");
        } catch (PlinthException e) {
            assertEquals(Reason.REFUSED, e.reason());
        }
        assertEquals(InstanceState.AVAILABLE, controller.instance(stubborn.id()).state());
        assertEquals(1, hub.members("stubborn").size());

        BlockingQueue<InstanceEvent> events = watch(stubborn.id());
        controller.destroy(stubborn.id(), "killed", Duration.ofMillis(500));
        awaitEvent(events, e -> e.state() == InstanceState.DESTROYING);
        InstanceEvent destroyed = awaitEvent(events, e -> e.state() == InstanceState.DESTROYED);
        assertEquals("killed", destroyed.reason());
        assertTrue(hub.members("stubborn").isEmpty());
        try {
            controller.instance(stubborn.id());
            fail("a destroyed instance is gone");
        } catch (PlinthException e) {
            assertEquals(Reason.NOT_FOUND, e.reason());
        }

        Instance polite = createEcho("1.0.0", 1, List.of(), Map.of()).get(0);
        assertEquals(InstanceState.DESTROYED, controller.terminate(polite.id(), "normal").state());
    }

    @Test
    public void linkedInstancesDieTogetherAndMonitorsAreTold() throws Exception {
        addExamples();
        controller.registerType(echoType("1.0.0"));
        List<Instance> three = createEcho("1.0.0", 3, List.of(), Map.of());
        String dependency = three.get(0).id();
        String dependant = three.get(1).id();
        String watcher = three.get(2).id();
        controller.link(dependant, dependency);
        controller.monitor(watcher, dependency);
        assertEquals(List.of(dependency), controller.instance(dependant).links());

        BlockingQueue<InstanceEvent> events = watch(dependant);
        controller.destroy(dependency, "killed", Duration.ofSeconds(1));
        InstanceEvent gone = awaitEvent(events, e -> e.state() == InstanceState.DESTROYED);
        assertEquals("linked " + dependency + ": killed", gone.reason());
        awaitDowns(watcher, dependency + " killed");
        assertEquals(InstanceState.AVAILABLE, controller.instance(watcher).state());

        // A normal exit does not take linked instances along (Erlang semantics).
        List<Instance> pair = createEcho("1.0.0", 2, List.of(), Map.of());
        controller.link(pair.get(0).id(), pair.get(1).id());
        controller.terminate(pair.get(0).id(), "normal");
        Thread.sleep(300);
        assertEquals(InstanceState.AVAILABLE, controller.instance(pair.get(1).id()).state());
        controller.destroy(pair.get(1).id(), null, Duration.ofSeconds(1));
        controller.destroy(watcher, null, Duration.ofSeconds(1));
    }

    @Test
    public void anInstanceFailingToStartIsReportedAndRemoved() throws Exception {
        addExamples();
        controller.registerType(echoType("1.0.0"));
        try {
            createEcho("1.0.0", 1, List.of(), Map.of("fail-start", "true"));
            fail("a component that fails to start fails the create");
        } catch (PlinthException e) {
            assertEquals(Reason.FAILED, e.reason());
        }
        awaitNoInstances();
    }

    @Test
    public void featureTypesAndBadTypes() throws Exception {
        addExamples();
        ComponentType feature = new ComponentType("echo-feature", "2.0.0", ComponentKind.FEATURE, "echo", "", Map.of());
        controller.registerType(feature);
        Instance instance = controller.create(new InstanceSpec("echo-feature", "2.0.0", 1, Map.of(), List.of(), null)).get(0);
        Reply reply = hub.call(Request.to(Target.instance(instance.id())).operation("echo").input("message", "f").build()).get(0);
        assertEquals("F", reply.output("message"));
        controller.destroy(instance.id(), null, Duration.ofSeconds(1));

        expect(Reason.INVALID, () -> controller.registerType(new ComponentType("nope", "1.0.0", ComponentKind.BUNDLE,
                "mvn:io.plinth.examples/does-not-exist/1.0.0", "", Map.of())));
        expect(Reason.INVALID, () -> controller.registerType(new ComponentType("nope", "1.0.0", ComponentKind.FEATURE,
                "no-such-feature", "", Map.of())));
        controller.registerType(echoType("1.0.0"));
        expect(Reason.CONFLICT, () -> controller.registerType(new ComponentType("echo", "1.0.0", ComponentKind.BUNDLE,
                ECHO_1, "", Map.of("changed", "yes"))));
        expect(Reason.NOT_FOUND, () -> controller.create(new InstanceSpec("echo", "9.9.9", 1, null, null, null)));
        Instance blocker = createEcho("1.0.0", 1, List.of(), Map.of()).get(0);
        expect(Reason.CONFLICT, () -> controller.unregisterType("echo", "1.0.0"));
        controller.destroy(blocker.id(), null, Duration.ofSeconds(1));
        controller.unregisterType("echo", "1.0.0");
        expect(Reason.NOT_FOUND, () -> controller.type("echo", "1.0.0"));
    }

    private void expect(Reason reason, Runnable action) {
        try {
            action.run();
            fail("expected " + reason);
        } catch (PlinthException e) {
            assertEquals(e.getMessage(), reason, e.reason());
        }
    }

    private BlockingQueue<InstanceEvent> watch(String instanceId) {
        BlockingQueue<InstanceEvent> events = new LinkedBlockingQueue<>();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(InstanceListener.INSTANCE, instanceId);
        bundleContext.registerService(InstanceListener.class, events::add, properties);
        return events;
    }

    private static InstanceEvent awaitEvent(BlockingQueue<InstanceEvent> events, Predicate<InstanceEvent> wanted) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            InstanceEvent event = events.poll(100, TimeUnit.MILLISECONDS);
            if (event != null && wanted.test(event)) {
                return event;
            }
        }
        throw new AssertionError("no such event within 10 s");
    }

    private void awaitDowns(String watcher, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        String downs = null;
        while (System.currentTimeMillis() < deadline) {
            downs = hub.call(Request.to(Target.instance(watcher)).operation("downs").build()).get(0).output("downs");
            if (downs.contains(expected)) {
                return;
            }
            Thread.sleep(20);
        }
        fail("the monitor heard " + downs);
    }

    private void awaitNoInstances() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (!controller.instances().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), controller.instances());
    }
}
