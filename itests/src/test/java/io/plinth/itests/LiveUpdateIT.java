package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.plinth.api.component.ComponentController;
import io.plinth.api.component.Instance;
import io.plinth.api.component.InstanceSpec;
import io.plinth.api.component.InstanceState;
import io.plinth.api.hub.Hub;
import io.plinth.api.hub.NameOption;
import io.plinth.api.hub.Target;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Replaces the hub and the controller bundles live, several times each, while clients keep
 * calling echo instances over REST and instances keep calling each other through the hub:
 * no call may fail, no membership or instance may be lost.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LiveUpdateIT extends PlinthTestSupport {

    private static final int UPDATES_PER_BUNDLE = 3;

    private final Http http = http();

    @Before
    public void echoTypeAndApi() throws Exception {
        http.awaitUp(Duration.ofSeconds(30));
        addExamples();
        controller.registerType(echoType("1.0.0"));
    }

    @Test
    public void hubAndControllerAreReplacedUnderLoad() throws Exception {
        controller.registerType(echoType("2.0.0"));
        List<Instance> instances = new ArrayList<>(createEcho("1.0.0", 3, List.of("live"), Map.of()));
        instances.addAll(createEcho("2.0.0", 3, List.of("live"), Map.of()));
        String relay = instances.get(0).id();
        // Soft state the hub must hand to its successors: a dynamic membership, a name queue, attributes.
        hub.register(instances.get(1).id(), "extra");
        hub.claimName("live-leader", instances.get(2).id(), NameOption.QUEUE);
        hub.claimName("live-leader", instances.get(3).id(), NameOption.QUEUE);
        hub.putAttribute(Target.instance(instances.get(4).id()), "load", "42");
        hub.putAttribute(Target.group("live"), "epoch", "7");

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong calls = new AtomicLong();
        AtomicLong slowestNanos = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<String> bodies = List.of(
                "{\"target\":\"group:live\",\"operation\":\"echo\",\"inputs\":{\"message\":\"m\"}}",
                "{\"target\":\"group:live\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"m\"}}",
                "{\"target\":\"instance:" + relay + "\",\"operation\":\"relay\",\"inputs\":{\"target\":\"group:live\",\"message\":\"m\"}}",
                // Paused before its inner call, a relay is often in flight while the hub is swapped.
                "{\"target\":\"instance:" + relay + "\",\"operation\":\"relay\",\"inputs\":{\"target\":\"group:live\",\"message\":\"m\",\"pauseMillis\":\"30\"}}");
        List<Thread> clients = new ArrayList<>();
        for (String body : bodies) {
            Thread client = new Thread(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        Http.Answer answer = http.post("/calls", body);
                        if (answer.status() != 200 || answer.body().contains("\"error\":\"")) {
                            failures.add(answer.status() + " " + answer.body());
                        }
                        Http.Answer listed = http.get("/instances");
                        if (listed.status() != 200 || listed.json().size() != 6) {
                            failures.add("instances: " + listed.status() + " " + listed.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                    slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                    calls.incrementAndGet();
                }
            }, "live-update-client");
            client.start();
            clients.add(client);
        }

        Thread.sleep(500);
        List<Long> swapMillis = new ArrayList<>();
        for (int i = 0; i < UPDATES_PER_BUNDLE; i++) {
            swapMillis.add(update("io.plinth.hub", System.getProperty("plinth.hub.jar")));
            Thread.sleep(300);
            swapMillis.add(update("io.plinth.controller", System.getProperty("plinth.controller.jar")));
            Thread.sleep(300);
        }
        Thread.sleep(500);
        running.set(false);
        for (Thread client : clients) {
            client.join(10_000);
        }

        System.out.printf("live update: %d client round trips, slowest %.1f ms, bundle swaps took %s ms%n",
                calls.get(), slowestNanos.get() / 1e6, swapMillis);
        assertEquals("failed client calls: " + failures, List.of(), new ArrayList<>(failures));
        assertTrue("the clients kept calling", calls.get() > 50);
        // The injected services are the retired ones now: ask the registry for their successors.
        Hub hub = current(Hub.class);
        ComponentController controller = current(ComponentController.class);
        Set<String> ids = instances.stream().map(Instance::id).collect(Collectors.toSet());
        assertEquals(ids, hub.members("live").stream().map(m -> m.instanceId()).collect(Collectors.toSet()));
        assertEquals(List.of(instances.get(1).id()), hub.members("extra").stream().map(m -> m.instanceId()).toList());
        assertEquals(List.of(instances.get(2).id(), instances.get(3).id()), hub.nameQueue("live-leader"));
        assertEquals("42", hub.attributes(Target.instance(instances.get(4).id())).get("load"));
        assertEquals("7", hub.attributes(Target.group("live")).get("epoch"));
        assertEquals(ids, controller.instances().stream().map(Instance::id).collect(Collectors.toSet()));
        for (Instance instance : controller.instances()) {
            assertEquals(InstanceState.AVAILABLE, instance.state());
        }
        // The replaced controller still creates and destroys.
        Instance extra = controller.create(new InstanceSpec("echo", "2.0.0", 1, Map.of(), List.of("live"), null)).get(0);
        assertEquals(7, hub.members("live").size());
        controller.destroy(extra.id(), null, Duration.ofSeconds(1));
    }

    /**
     * A call in flight during a hub swap whose component calls the hub again: the inner call can only
     * be served by the new hub, so the old one must not wait for the outer call before it goes.
     */
    @Test
    public void aCallThatCallsTheHubSurvivesASwap() throws Exception {
        List<Instance> instances = createEcho("1.0.0", 2, List.of("nested"), Map.of());
        String body = "{\"target\":\"instance:" + instances.get(0).id() + "\",\"operation\":\"relay\",\"expiryMs\":5000,"
                + "\"inputs\":{\"target\":\"group:nested\",\"message\":\"inner\",\"pauseMillis\":\"500\"}}";
        java.util.concurrent.CompletableFuture<Http.Answer> relayed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return http.post("/calls", body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200); // the relay now pauses inside its handler, before its inner call
        update("io.plinth.hub", System.getProperty("plinth.hub.jar"));
        Http.Answer answer = relayed.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(answer.body(), 200, answer.status());
        assertEquals(answer.body(), "inner", answer.json().get(0).get("outputs").get("message").asText());
        ComponentController current = current(ComponentController.class);
        for (Instance instance : instances) {
            current.destroy(instance.id(), null, Duration.ofSeconds(1));
        }
    }

    private <S> S current(Class<S> type) {
        return bundleContext.getService(bundleContext.getServiceReference(type));
    }

    /** {@code bundle:update} from a copy of the freshly built jar; answers how long the update took. */
    private long update(String symbolicName, String jar) throws Exception {
        Bundle bundle = List.of(bundleContext.getBundles()).stream().filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        Path rebuilt = Files.createTempFile("rebuilt-", ".jar");
        Files.copy(Path.of(jar), rebuilt, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long start = System.nanoTime();
        try (InputStream in = Files.newInputStream(rebuilt)) {
            bundle.update(in);
        }
        long took = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Bundle.ACTIVE, bundle.getState());
        Files.delete(rebuilt);
        return took;
    }
}
