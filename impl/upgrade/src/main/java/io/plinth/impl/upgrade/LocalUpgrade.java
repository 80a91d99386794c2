package io.plinth.impl.upgrade;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.plinth.api.error.PlinthException;
import io.plinth.api.platform.BundleChange;
import io.plinth.api.platform.UpgradePlan;
import io.plinth.api.platform.UpgradeState;

import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's own part of an upgrade, as a journaled sequence: fetch and plan; keep a copy of each
 * bundle it replaces; update bundles one at a time (libraries, then the API, then each sub-system),
 * waiting after each for the bundle to offer its services again, or, when a new API or library
 * makes a refresh necessary, stop what is refreshed, update, refresh and start it again; check the
 * node's health; move Karaf's features state to the build (which also updates this bundle: its
 * successor then finishes from the journal). Anything short of health puts every changed bundle back.
 */
final class LocalUpgrade {

    private static final Logger LOG = LoggerFactory.getLogger(LocalUpgrade.class);

    /** This bundle: Karaf's deployer updates it last, when the features state moves. */
    static final String SELF = "io.plinth.upgrade";

    private final BundleContext framework;
    private final FeaturesService features;
    private final Journal journal;
    private final Path store;
    private final Health health;
    private final Duration patience;
    /** Retired once this bundle's revision is being replaced: the journal then belongs to the successor. */
    private final Handover handover;

    LocalUpgrade(BundleContext framework, FeaturesService features, Journal journal, Path store, Duration patience, Handover handover) {
        this.framework = framework;
        this.features = features;
        this.journal = journal;
        this.store = store;
        this.health = new Health(framework, handover::retired);
        this.patience = patience;
        this.handover = handover;
    }

    /** Carries this node's part on from wherever the journal says it is. */
    void run(String node) {
        Job.NodeJob mine = journal.read().node(node);
        switch (mine.phase()) {
            case WAITING -> apply(node);
            case APPLYING -> rollBack(node, "the node's upgrade was cut short (its upgrader stopped while applying)");
            case REFRESHING -> verifyAndCommit(node);
            case COMMITTING -> finish(node);
            case ROLLING_BACK -> carryOnRollingBack(node);
            case DONE -> { }
        }
    }

    private void apply(String node) {
        Job job = journal.read();
        Planner planner = new Planner(framework, features, store, store.resolve("staged"));
        Planner.Planned planned;
        try {
            planned = planner.plan(job.version(), node);
        } catch (PlinthException e) {
            end(node, UpgradeState.FAILED, "cannot plan the upgrade: " + e.getMessage());
            return;
        }
        if (planned.plan().refused() && !job.force()) {
            end(node, UpgradeState.FAILED, "refused: it would refresh " + String.join(", ", planned.plan().refreshBeyondPlatform())
                    + ", which are not platform bundles (force to go on)");
            return;
        }
        Health.Baseline before = health.baseline(planned.platform());
        String fromFeature = planner.installedVersion();
        journal.update(j -> j.node(node, n -> n.in(Job.Phase.APPLYING).planned(planned.plan(), fromFeature, planned.build().featureVersion, before)));
        boolean refreshing = !planned.toRefresh().isEmpty();
        Set<Bundle> refreshed = new HashSet<>(planned.toRefresh());
        refreshed.addAll(planned.toUpdate().values());
        try {
            Build.emptyDirectory(store.resolve("previous"));
            installAll(node, planned);
            if (refreshing) {
                // A new API or library: everything wired to it restarts anyway. Stopped first, in order, its work
                // in flight ends while what it needs still runs; updated while stopped, a bundle never runs wired
                // half to the old API and half to the new.
                record(node, Job.Step.Kind.REFRESHED, framework.getBundle(), null);
                quiesce(refreshed, planned.platform());
            }
            for (Map.Entry<String, Bundle> update : inUpdateOrder(planned.toUpdate())) {
                stopIfRetired();
                updateOne(node, update.getValue(), planned.build().artifacts.get(update.getKey()), refreshing ? null : before);
            }
            for (Bundle bundle : planned.toUninstall().values()) {
                stopIfRetired();
                Path previous = Kept.savePrevious(bundle, store.resolve("current"), store.resolve("previous"));
                record(node, Job.Step.Kind.UNINSTALLED, bundle, previous);
                bundle.uninstall();
            }
            stopIfRetired();
            if (refreshing) {
                journal.update(j -> j.node(node, n -> n.in(Job.Phase.REFRESHING)));
                handover.whileReplacing(() -> refresh(refreshed)); // restarts this bundle too when it is wired to a new API
            }
        } catch (Exception e) {
            if (handover.retired()) {
                LOG.info("Upgrade to {}: this upgrader is being replaced; its successor carries on from the journal", job.version());
                return;
            }
            LOG.warn("Upgrade to {} failed on this node; rolling back", job.version(), e);
            rollBack(node, e.getMessage());
            return;
        }
        if (!handover.retired()) {
            verifyAndCommit(node); // else the refresh replaced this bundle, and its successor goes on
        }
    }

    /** Once every bundle is changed: what was stopped starts, the node must be healthy, then Karaf's features state moves to the build. */
    private void verifyAndCommit(String node) {
        Job.NodeJob mine = journal.read().node(node);
        if (!healthy(node, mine, startTouched(mine.plan()), "on the new build")) {
            return;
        }
        journal.update(j -> j.node(node, n -> n.in(Job.Phase.COMMITTING)));
        try {
            features.addRepository(URI.create(mine.plan().repository()));
            handover.whileReplacing(() -> moveFeatures(mine.toFeatureVersion()));
        } catch (Exception e) {
            if (!handover.retired()) {
                rollBack(node, "Karaf's features state did not move to the build: " + e.getMessage());
            }
            return;
        }
        if (!handover.retired()) {
            finish(node); // else the commit replaced this bundle, and its successor finishes
        }
    }

    /** After the commit: Karaf lists the build, the node is healthy; keeps the build's jars as what runs. */
    private void finish(String node) {
        Job.NodeJob mine = journal.read().node(node);
        List<String> problems = new ArrayList<>();
        if (!buildInstalled(patience)) {
            problems.add("Karaf does not list the platform feature of build " + journal.read().version() + " as installed");
        }
        if (!healthy(node, mine, problems, "after moving Karaf's features state")) {
            return;
        }
        try {
            for (BundleChange change : changedBy(mine)) {
                Kept.keep(store.resolve("current"), change.symbolicName(), Kept.file(store.resolve("staged"), change.symbolicName()));
            }
        } catch (IOException e) {
            LOG.warn("Upgraded, but cannot keep copies of the new bundles; the next upgrade re-fetches them from their locations", e);
        }
        end(node, UpgradeState.SUCCEEDED, null);
    }

    /**
     * Whether the node is healthy against its baseline, given the {@code problems} found already;
     * rolls it back when not (unless this revision retires meanwhile: then false, the successor goes on).
     */
    private boolean healthy(String node, Job.NodeJob mine, List<String> problems, String when) {
        problems.addAll(health.await(mine.baseline(), patience));
        if (handover.retired()) {
            return false;
        }
        if (!problems.isEmpty()) {
            rollBack(node, "not healthy " + when + ": " + String.join("; ", problems));
            return false;
        }
        return true;
    }

    private static List<BundleChange> changedBy(Job.NodeJob mine) {
        List<BundleChange> changed = new ArrayList<>(mine.plan().install());
        changed.addAll(mine.plan().update());
        return changed;
    }

    /** Whether Karaf lists the build's platform feature as installed, waiting up to {@code wait} for it. */
    private boolean buildInstalled(Duration wait) {
        String repository = Build.repository(journal.read().version()).toString();
        return health.await(wait, () -> {
            try {
                for (Feature feature : features.listInstalledFeatures()) {
                    if (feature.getName().equals(Build.ROOT) && repository.equals(feature.getRepositoryUrl())) {
                        return List.of();
                    }
                }
                return List.of("not installed yet");
            } catch (Exception e) {
                return List.of("cannot list the installed features: " + e.getMessage());
            }
        }).isEmpty();
    }

    private void installAll(String node, Planner.Planned planned) throws IOException, BundleException {
        List<Bundle> installed = new ArrayList<>();
        for (BundleChange change : planned.plan().install()) {
            Build.Artifact artifact = planned.build().artifacts.get(change.symbolicName());
            try (InputStream in = Files.newInputStream(artifact.file())) {
                Bundle bundle = framework.installBundle(artifact.location(), in);
                record(node, Job.Step.Kind.INSTALLED, bundle, null);
                installed.add(bundle);
            }
        }
        for (Bundle bundle : installed) {
            if (!isFragment(bundle)) {
                bundle.start();
            }
        }
    }

    /** Updates {@code bundle} to {@code artifact} and, unless {@code before} is null, waits until it offers the services it did before. */
    private void updateOne(String node, Bundle bundle, Build.Artifact artifact, Health.Baseline before) throws IOException, BundleException {
        Path previous = Kept.savePrevious(bundle, store.resolve("current"), store.resolve("previous"));
        record(node, Job.Step.Kind.UPDATED, bundle, previous); // first: a cut-short upgrade puts it back
        long start = System.nanoTime();
        try (InputStream in = Files.newInputStream(artifact.file())) {
            bundle.update(in);
        }
        List<String> problems = before == null ? List.of() : health.awaitBundle(bundle.getSymbolicName(), before, patience);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("after its update: " + String.join("; ", problems));
        }
        LOG.info("Updated {} to {} in {} ms", bundle.getSymbolicName(), artifact.version(), (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Libraries first, then the API, then the sub-systems; never this bundle, which Karaf's deployer
     * updates when the features state moves (a bundle that updated itself would go on running code
     * whose class loader is gone).
     */
    private static List<Map.Entry<String, Bundle>> inUpdateOrder(Map<String, Bundle> toUpdate) {
        return toUpdate.entrySet().stream()
                .filter(entry -> !entry.getKey().equals(SELF))
                .sorted(Comparator.comparing((Map.Entry<String, Bundle> entry) -> rank(entry.getKey())).thenComparing(Map.Entry::getKey))
                .toList();
    }

    private static int rank(String symbolicName) {
        if (!symbolicName.startsWith("io.plinth.")) {
            return 0;
        }
        return symbolicName.equals("io.plinth.api") ? 1 : 2;
    }

    /** Ends a step sequence between steps once this revision is retired (the caller's failure path leaves the rest to the successor). */
    private void stopIfRetired() {
        if (handover.retired()) {
            throw new IllegalStateException("the upgrader is being replaced");
        }
    }

    private void record(String node, Job.Step.Kind kind, Bundle bundle, Path previous) {
        Job.Step step = new Job.Step(kind, bundle.getBundleId(), bundle.getSymbolicName(), previous == null ? null : previous.toString(),
                bundle.getLocation());
        journal.update(j -> j.node(node, n -> n.with(step)));
    }

    /** Refreshes {@code bundles} (null: those wired to replaced revisions) and what depends on them; waits until done. */
    private void refresh(Set<Bundle> bundles) throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        framework.getBundle().adapt(FrameworkWiring.class).refreshBundles(bundles, event -> refreshed.countDown());
        if (!refreshed.await(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("a refresh did not finish within " + patience.toSeconds() + " s");
        }
    }

    /**
     * Stops {@code bundles} (but this one), transiently, in {@link StopOrder}: work in flight ends
     * while what it needs still runs, and the components stop after the harness, which then does not
     * take them for crashed: they come back as the same instances.
     */
    private void quiesce(Set<Bundle> bundles, Set<String> platform) throws BundleException {
        List<Bundle> stopping = StopOrder.of(bundles.stream()
                .filter(bundle -> !SELF.equals(bundle.getSymbolicName()) && bundle.getState() == Bundle.ACTIVE).toList(), platform);
        LOG.info("Stopping {} bundles to refresh them: {}", stopping.size(), stopping.stream().map(Bundle::getSymbolicName).toList());
        for (Bundle bundle : stopping) {
            stopIfRetired();
            long start = System.nanoTime();
            bundle.stop(Bundle.STOP_TRANSIENT);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (millis > 1000) {
                LOG.info("Stopping {} took {} ms (its work in flight)", bundle.getSymbolicName(), millis);
            }
        }
    }

    /**
     * Starts, in the order a node starts them, the bundles an upgrade touched (by {@code plan}) that are
     * meant to run and do not (stopped for a refresh, or by a refresh cut short); answers the failures.
     */
    private List<String> startTouched(UpgradePlan plan) {
        Set<String> touched = new HashSet<>();
        for (List<BundleChange> changes : List.of(plan.install(), plan.update(), plan.refresh())) {
            changes.forEach(change -> touched.add(change.symbolicName()));
        }
        List<String> problems = new ArrayList<>();
        Arrays.stream(framework.getBundles())
                .filter(bundle -> touched.contains(bundle.getSymbolicName()) && bundle.getState() != Bundle.ACTIVE)
                .filter(bundle -> !isFragment(bundle))
                .filter(bundle -> bundle.adapt(BundleStartLevel.class).isPersistentlyStarted())
                .sorted(StopOrder.START)
                .forEach(bundle -> {
                    try {
                        bundle.start();
                    } catch (BundleException | IllegalStateException e) {
                        problems.add(bundle.getSymbolicName() + " does not start: " + e.getMessage());
                    }
                });
        return problems;
    }

    private static boolean isFragment(Bundle bundle) {
        return (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    /** Moves Karaf's features state to {@code version} of the platform feature, the bundles as they are. */
    private void moveFeatures(String version) throws Exception {
        features.installFeature(Build.ROOT, version, EnumSet.of(FeaturesService.Option.Upgrade, FeaturesService.Option.NoAutoRefreshBundles));
    }

    private void rollBack(String node, String why) {
        journal.update(j -> j.node(node, n -> n.rollingBack(why)));
        carryOnRollingBack(node);
    }

    /**
     * Puts back every change the journal still lists, last first, striking each off once undone (a
     * successor goes on from there); refreshes when the upgrade did; checks health against the
     * baseline; moves Karaf's features state back last of all, since that may replace this bundle again.
     */
    private void carryOnRollingBack(String node) {
        Job.NodeJob mine = journal.read().node(node);
        List<String> problems = new ArrayList<>();
        List<Job.Step> steps = new ArrayList<>(mine.steps());
        Collections.reverse(steps);
        for (Job.Step step : steps) {
            if (handover.retired()) {
                return;
            }
            if (step.kind() == Job.Step.Kind.REFRESHED) {
                continue; // undone once every other step is
            }
            try {
                undo(step);
            } catch (Exception e) {
                LOG.error("Rolling back {} of {} failed", step.kind(), step.symbolicName(), e);
                problems.add("cannot put back " + step.symbolicName() + ": " + e.getMessage());
            }
            journal.update(j -> j.node(node, n -> n.without(step)));
        }
        if (steps.stream().anyMatch(step -> step.kind() == Job.Step.Kind.REFRESHED)) {
            try {
                handover.whileReplacing(() -> refresh(null)); // every bundle still wired to a replaced revision
            } catch (Exception e) {
                problems.add("the refresh after putting bundles back failed: " + e.getMessage());
            }
            if (handover.retired()) {
                return;
            }
        }
        if (mine.plan() != null) {
            problems.addAll(startTouched(mine.plan()));
        }
        if (mine.baseline() != null) {
            problems.addAll(health.await(mine.baseline(), patience));
        }
        if (handover.retired()) {
            return;
        }
        String message = mine.message() + (problems.isEmpty() ? "; rolled back" : "; rolling back left problems: " + String.join("; ", problems));
        end(node, problems.isEmpty() ? UpgradeState.ROLLED_BACK : UpgradeState.FAILED, message);
        moveFeaturesBack(mine);
    }

    private void undo(Job.Step step) throws IOException, BundleException {
        switch (step.kind()) {
            case UPDATED -> {
                try (InputStream in = Files.newInputStream(Path.of(step.previous()))) {
                    framework.getBundle(step.bundleId()).update(in);
                }
            }
            case INSTALLED -> framework.getBundle(step.bundleId()).uninstall();
            case UNINSTALLED -> {
                try (InputStream in = Files.newInputStream(Path.of(step.previous()))) {
                    framework.installBundle(step.location(), in).start();
                }
            }
            case REFRESHED -> { }
        }
    }

    private void moveFeaturesBack(Job.NodeJob mine) {
        if (mine.fromFeatureVersion() == null || !buildInstalled(Duration.ZERO)) {
            return;
        }
        try {
            handover.whileReplacing(() -> moveFeatures(mine.fromFeatureVersion()));
        } catch (Exception e) {
            LOG.error("Rolled back, but cannot move Karaf's features state back to {} {}", Build.ROOT, mine.fromFeatureVersion(), e);
        }
    }

    private void end(String node, UpgradeState state, String message) {
        journal.update(j -> j.node(node, n -> n.ended(state, message)));
        LOG.info("Upgrade of this node to {}: {}{}", journal.read().version(), state, message == null ? "" : " (" + message + ")");
    }
}
