package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.plinth.api.platform.PlatformUpgrades;
import io.plinth.api.platform.UpgradeState;
import io.plinth.api.platform.UpgradeStatus;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * The upgrade bundle replaced ({@code bundle:update}) while it upgrades this node: the retiring
 * revision stops between two bundle updates and waits for its driver, so two revisions never change
 * bundles at once; its successor finds the upgrade cut short in the journal and puts the node back
 * on the bundles it ran.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UpgradeHandoverIT extends PlinthTestSupport {

    private static final String NEXT = "0.1.4";

    @Test
    public void anUpgradeCutShortIsRolledBackByTheNextRevision() throws Exception {
        http().awaitUp(Duration.ofSeconds(90)); // a settled node: its REST answers
        Releases.publish(Path.of(System.getProperty("karaf.home"), "system"), NEXT, false, false);
        Map<String, String> before = platformVersions();
        Path journal = Path.of(System.getProperty("karaf.data"), "plinth", "upgrade", "job.json");

        String id = current(PlatformUpgrades.class).start(NEXT, false, false).id();
        long deadline = System.currentTimeMillis() + 60_000;
        while (updatesUnderWay(journal) < 2) { // the first bundle replaced, the second begun
            assertTrue("the upgrade did not get to its second bundle", System.currentTimeMillis() < deadline);
            Thread.sleep(10);
        }
        Bundle upgrader = bundle("upgrade");
        upgrader.update();

        UpgradeStatus status = awaitEnd(id);
        assertEquals(status.toString(), UpgradeState.FAILED, status.state());
        assertEquals(status.toString(), UpgradeState.ROLLED_BACK, status.nodes().get(0).state());
        assertTrue(status.toString(), status.nodes().get(0).message().contains("cut short"));
        assertEquals("every platform bundle back at the version it ran", before, platformVersions());
        assertEquals("no platform bundle left stopped", "[]", notActive().toString());
    }

    /** How many bundle updates the journal records for the running upgrade of this node. */
    private static int updatesUnderWay(Path journal) throws Exception {
        if (!Files.exists(journal)) {
            return 0;
        }
        int updates = 0;
        for (JsonNode step : new ObjectMapper().readTree(journal.toFile()).path("nodes").path(0).path("steps")) {
            updates += step.path("kind").asText().equals("UPDATED") ? 1 : 0;
        }
        return updates;
    }

    /** Follows upgrade {@code id} through whichever revision of the upgrade bundle answers. */
    private UpgradeStatus awaitEnd(String id) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (bundleContext.getServiceReference(PlatformUpgrades.class) != null) {
                UpgradeStatus status = current(PlatformUpgrades.class).status();
                if (status.id().equals(id) && status.ended()) {
                    return status;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the upgrade did not end within 2 minutes");
    }

    private Map<String, String> platformVersions() {
        Map<String, String> versions = new TreeMap<>();
        for (Bundle bundle : bundleContext.getBundles()) {
            if (bundle.getSymbolicName() != null && bundle.getSymbolicName().startsWith("io.plinth.")) {
                versions.put(bundle.getSymbolicName(), bundle.getVersion().toString());
            }
        }
        return versions;
    }

    private List<String> notActive() {
        return Arrays.stream(bundleContext.getBundles())
                .filter(bundle -> bundle.getSymbolicName() != null && bundle.getSymbolicName().startsWith("io.plinth."))
                .filter(bundle -> bundle.getState() != Bundle.ACTIVE)
                .map(Bundle::getSymbolicName).toList();
    }
}
