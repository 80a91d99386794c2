package io.plinth.itests;

import java.net.http.HttpResponse;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Clients sending one kind of request in a loop, collecting every answer that is not a 200. */
final class Load {

    /** One request: what went wrong, or null when it succeeded. */
    interface Attempt {
        String failure() throws Exception;
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong slowestNanos = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    Load(int clients, Callable<HttpResponse<String>> request) {
        this(clients, (Attempt) () -> {
            HttpResponse<String> answer = request.call();
            return answer.statusCode() == 200 ? null : answer.statusCode() + " " + answer.body();
        });
    }

    Load(int clients, Attempt attempt) {
        this(Collections.nCopies(clients, attempt));
    }

    /** One client per attempt. */
    Load(List<Attempt> attempts) {
        for (Attempt attempt : attempts) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        String failure = attempt.failure();
                        if (failure == null) {
                            successes.incrementAndGet();
                        } else {
                            failures.add(LocalTime.now() + " " + failure);
                        }
                    } catch (Exception e) {
                        failures.add(LocalTime.now() + " " + e);
                    }
                    slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                }
            });
            thread.setDaemon(true); // a test that fails before stop() must not keep the JVM alive
            thread.start();
            threads.add(thread);
        }
    }

    long successes() {
        return successes.get();
    }

    /** The longest any one request took: the longest gap a client saw. */
    double slowestMillis() {
        return slowestNanos.get() / 1e6;
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }

    List<String> failures() {
        return new ArrayList<>(failures);
    }
}
