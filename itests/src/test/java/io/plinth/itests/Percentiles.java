package io.plinth.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** Latency samples in nanoseconds, summarized; and the benchmark report file they go to. */
final class Percentiles {

    private final long[] samples;
    private int count;

    Percentiles(int capacity) {
        samples = new long[capacity];
    }

    void add(long nanos) {
        samples[count++] = nanos;
    }

    /** The value below which {@code percent} % of the samples fall, in microseconds. */
    double micros(double percent) {
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int index = (int) Math.min(count - 1, Math.ceil(percent / 100.0 * count) - 1);
        return sorted[Math.max(0, index)] / 1000.0;
    }

    String summary(String unitName) {
        return String.format("%s: p50 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.1f us (%d samples)",
                unitName, micros(50), micros(99), micros(99.9), micros(100), count);
    }

    /** Prints a result line and appends it to {@code target/benchmarks.txt} (the itests module's). */
    static void report(String line) throws IOException {
        System.out.println("BENCHMARK " + line);
        Path file = Path.of(System.getProperty("plinth.benchmarks", "target/benchmarks.txt"));
        Files.writeString(file, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
