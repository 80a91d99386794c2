package io.plinth.itests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.plinth.api.component.Instance;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Selector;
import io.plinth.api.hub.Target;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * In-process figures on a booted node: hub local call latency and throughput, and instance
 * create → available latency. Prints results; asserts nothing about speed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LocalBenchmark extends PlinthTestSupport {

    private static final int WARM_UP = 300_000;
    private static final int SAMPLES = 1_000_000;

    @Test
    public void hubLocalCalls() throws Exception {
        addExamples();
        controller.registerType(echoType("1.0.0"));
        List<Instance> instances = createEcho("1.0.0", 2, List.of("bench"), Map.of());
        Request toInstance = Request.to(Target.instance(instances.get(0).id())).operation("echo").input("message", "m")
                .expiresIn(Duration.ofHours(1)).build();
        Request toGroup = Request.to(Target.group("bench")).selector(Selector.ANY).operation("echo").input("message", "m")
                .expiresIn(Duration.ofHours(1)).build();
        for (int i = 0; i < WARM_UP; i++) {
            hub.call(toInstance);
            hub.call(toGroup);
        }
        Percentiles direct = new Percentiles(SAMPLES);
        Percentiles group = new Percentiles(SAMPLES);
        for (int i = 0; i < SAMPLES; i++) {
            long start = System.nanoTime();
            hub.call(toInstance);
            long middle = System.nanoTime();
            hub.call(toGroup);
            long end = System.nanoTime();
            direct.add(middle - start);
            group.add(end - middle);
        }
        Percentiles.report("hub local call to an instance: " + direct.summary("latency"));
        Percentiles.report("hub local call to a group (any): " + group.summary("latency"));
        Percentiles.report(String.format("hub local calls/s, 2 threads, 5 s: %.0f", throughput(toGroup, 2, 5)));
    }

    @Test
    public void createToAvailable() throws Exception {
        addExamples();
        controller.registerType(echoType("2.0.0"));
        createEcho("2.0.0", 5, List.of(), Map.of()).forEach(i -> controller.destroy(i.id(), null, Duration.ofSeconds(1)));
        Percentiles created = new Percentiles(200);
        Percentiles destroyed = new Percentiles(200);
        for (int i = 0; i < 200; i++) {
            long start = System.nanoTime();
            Instance instance = createEcho("2.0.0", 1, List.of("created"), Map.of()).get(0);
            long middle = System.nanoTime();
            controller.destroy(instance.id(), null, Duration.ofSeconds(1));
            destroyed.add(System.nanoTime() - middle);
            created.add(middle - start);
        }
        Percentiles.report("instance create -> available: " + created.summary("latency"));
        Percentiles.report("instance destroy -> destroyed: " + destroyed.summary("latency"));
    }

    private double throughput(Request request, int threads, int seconds) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder calls = new LongAdder();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                while (running.get()) {
                    hub.call(request);
                    calls.increment();
                }
            });
            worker.start();
            workers.add(worker);
        }
        Thread.sleep(seconds * 1000L);
        running.set(false);
        for (Thread worker : workers) {
            worker.join();
        }
        return calls.sum() / (double) seconds;
    }
}
