package io.plinth.itests;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.Test;

/**
 * A node as an OS process: cold boot (fresh directory) and warm boot (restart) to the REST API
 * answering, and resident memory once idle. Prints results; asserts nothing about speed.
 */
public class NodeBenchmark {

    @Test
    public void bootAndIdleMemory() throws Exception {
        try (NodeProcess node = new NodeProcess(Path.of("target/nodes/benchmark"), 21000)) {
            long start = System.nanoTime();
            node.start();
            node.awaitUp(Duration.ofSeconds(120));
            long cold = System.nanoTime() - start;
            Thread.sleep(20_000);
            long idleRss = node.residentKilobytes();
            node.stop();

            start = System.nanoTime();
            node.start();
            node.awaitUp(Duration.ofSeconds(120));
            long warm = System.nanoTime() - start;
            Thread.sleep(20_000);
            long idleRssWarm = node.residentKilobytes();

            Percentiles.report(String.format("node boot to REST answering: first boot %.2f s, restart %.2f s", cold / 1e9, warm / 1e9));
            Percentiles.report(String.format("node idle RSS (20 s after boot): first boot %d MB, restart %d MB",
                    idleRss / 1024, idleRssWarm / 1024));
        }
    }
}
