package io.plinth.impl.upgrade;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.plinth.api.cluster.ClusterMessageHandler;
import io.plinth.api.cluster.ClusterMessaging;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;
import io.plinth.api.platform.PlatformUpgrades;
import io.plinth.api.platform.UpgradePlan;
import io.plinth.api.platform.UpgradeState;
import io.plinth.api.platform.UpgradeStatus;
import io.plinth.support.JsonBytes;
import io.plinth.support.JsonFile;
import io.plinth.support.ServiceProxy;

import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Platform upgrades on this node, and this node's part in cluster upgrades started elsewhere (the
 * {@value #TOPIC} messages). The upgrade itself is driven from the journal by one thread, so that
 * the revision of this bundle that runs after Karaf's deployer replaced it, or after a restart,
 * carries it on: a cluster upgrade goes through its nodes in order (this one first), each to
 * SUCCEEDED before the next starts; the first that does not stops it.
 */
@Component(service = {PlatformUpgrades.class, ClusterMessageHandler.class}, immediate = true, configurationPid = "io.plinth.upgrade",
        property = ClusterMessageHandler.TOPIC + "=" + Upgrades.TOPIC)
@Designate(ocd = Upgrades.Config.class)
public final class Upgrades implements PlatformUpgrades, ClusterMessageHandler {

    static final String TOPIC = "plinth.platform.upgrade";

    private static final Logger LOG = LoggerFactory.getLogger(Upgrades.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    /** Planning fetches a whole build. */
    private static final Duration PLAN_TIMEOUT = Duration.ofMinutes(2);
    /** How long a stopping revision waits for its driver to reach the end of a step (an update, a question to a node). */
    private static final Duration DRIVER_STOP = Duration.ofSeconds(30);

    @ObjectClassDefinition(name = "Plinth platform upgrade", description = "Upgrades of this node, or of its cluster node by node, to another platform build")
    public @interface Config {
        @AttributeDefinition(description = "How long a node may take to be healthy again, after each bundle's update and as a whole, before it is rolled back")
        int healthTimeoutSeconds() default 60;

        @AttributeDefinition(description = "How long a cluster upgrade waits for each other node's upgrade to finish")
        int nodeTimeoutSeconds() default 900;
    }

    /** What nodes ask each other: {@code plan} (a dry run), {@code start} (this node's part of upgrade {@code id}), {@code status}. */
    record Message(String op, String id, String version, boolean force) {
    }

    @Reference
    private FeaturesService features;

    private final JsonBytes codec = new JsonBytes();
    private final Object dryRuns = new Object();
    private BundleContext framework;
    private Path store;
    private Journal journal;
    private Health health;
    private Duration patience;
    private Duration nodePatience;
    private ServiceProxy<ClusterMessaging> messaging;
    private ExecutorService answers;
    private volatile Thread driver;
    /** Retired when this revision stops: the journal is then its successor's. */
    private final Handover handover = new Handover();

    @Activate
    void activate(BundleContext context, Config config) {
        framework = context.getBundle(0).getBundleContext();
        store = JsonFile.nodeStore("upgrade", "job.json").getParent();
        journal = new Journal(store.resolve("job.json"));
        health = new Health(framework, handover::retired);
        patience = Duration.ofSeconds(config.healthTimeoutSeconds());
        nodePatience = Duration.ofSeconds(config.nodeTimeoutSeconds());
        messaging = new ServiceProxy<>(context, ClusterMessaging.class, ASK_TIMEOUT);
        answers = Executors.newSingleThreadExecutor(task -> new Thread(task, "plinth-upgrade-answers"));
        Job job = journal.read();
        if (job != null && job.running()) {
            LOG.info("Carrying on the upgrade to {} from the journal", job.version());
            drive();
        }
    }

    /** Stops the driver at its next step (see {@link Handover}), leaving the journal to the successor. */
    @Deactivate
    void deactivate() {
        handover.retire(driver, DRIVER_STOP);
        answers.shutdownNow();
        messaging.close();
    }

    @Override
    public List<UpgradePlan> plan(String version, boolean cluster) {
        Build.repository(version); // a malformed version fails here, before anything is fetched
        Set<String> others = cluster ? otherNodes() : Set.of();
        List<UpgradePlan> plans = new ArrayList<>();
        plans.add(localPlan(version));
        for (String node : others) {
            plans.add(ask(node, new Message("plan", null, version, false), UpgradePlan.class, PLAN_TIMEOUT));
        }
        return plans;
    }

    @Override
    public synchronized UpgradeStatus start(String version, boolean cluster, boolean force) {
        refuseWhileRunning(null);
        List<UpgradePlan> plans = plan(version, cluster);
        List<String> refusals = new ArrayList<>();
        for (UpgradePlan plan : plans) {
            if (plan.refused()) {
                refusals.add(plan.node() + " would refresh " + String.join(", ", plan.refreshBeyondPlatform()));
            }
        }
        if (!refusals.isEmpty() && !force) {
            throw new PlinthException(Reason.REFUSED, "the upgrade to " + version + " would refresh bundles that are not the platform's ("
                    + String.join("; ", refusals) + "): they would restart. Add force to go on");
        }
        Job job = Job.start(UUID.randomUUID().toString(), version, cluster, force, plans.stream().map(UpgradePlan::node).toList());
        journal.write(job);
        drive();
        return job.view();
    }

    @Override
    public UpgradeStatus status() {
        Job job = journal.read();
        if (job == null) {
            throw PlinthException.notFound("no platform upgrade has run on this node");
        }
        return job.view();
    }

    @Override
    public CompletionStage<byte[]> message(String fromNode, byte[] payload) {
        Message message;
        try {
            message = codec.read(payload, Message.class);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(PlinthException.invalid("unreadable upgrade message from " + fromNode));
        }
        return CompletableFuture.supplyAsync(() -> codec.write(switch (message.op()) {
            case "plan" -> localPlan(message.version());
            case "start" -> startPart(message);
            case "status" -> journal.read();
            default -> throw PlinthException.invalid("unknown upgrade message " + message.op() + " from " + fromNode);
        }), answers);
    }

    /** This node's part of a cluster upgrade another node runs: idempotent, so a lost answer can be asked again. */
    private synchronized Job startPart(Message message) {
        refuseWhileRunning(message.id());
        Job current = journal.read();
        if (current != null && current.id().equals(message.id())) {
            return current;
        }
        Job job = Job.start(message.id(), message.version(), false, message.force(), List.of(health.nodeName()));
        journal.write(job);
        drive();
        return job;
    }

    private void refuseWhileRunning(String exceptId) {
        Job current = journal.read();
        if (current != null && current.running() && !current.id().equals(exceptId)) {
            throw PlinthException.conflict("the upgrade to " + current.version() + " (" + current.id() + ") is running on this node");
        }
    }

    /** One dry run at a time shares the staging directory; a lock of its own, so a node asked while starting an upgrade answers. */
    private UpgradePlan localPlan(String version) {
        synchronized (dryRuns) {
            return new Planner(framework, features, store, store.resolve("dry-run")).plan(version, health.nodeName()).plan();
        }
    }

    private Set<String> otherNodes() {
        ServiceReference<ClusterMessaging> reference = framework.getServiceReference(ClusterMessaging.class);
        if (reference == null) {
            throw PlinthException.conflict("this node is not connected to a cluster");
        }
        return new TreeSet<>(messaging.get().otherNodes());
    }

    private <T> T ask(String node, Message message, Class<T> answer, Duration timeout) {
        try {
            byte[] bytes = messaging.get().request(node, TOPIC, codec.write(message), timeout).toCompletableFuture()
                    .get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            return codec.read(bytes, answer);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PlinthException known ? known
                    : new PlinthException(Reason.UNAVAILABLE, node + " did not answer " + message.op() + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new PlinthException(Reason.UNAVAILABLE, node + " did not answer " + message.op() + " within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlinthException(Reason.UNAVAILABLE, "interrupted while asking " + node, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void drive() {
        if (driver == null || !driver.isAlive()) {
            driver = new Thread(this::carryOn, "plinth-upgrade");
            driver.start();
        }
    }

    /** Takes each node in turn from where the journal says it is; the local node is always the first. */
    private void carryOn() {
        try {
            Job job = journal.read();
            String local = job.nodes().get(0).node();
            LocalUpgrade upgrade = new LocalUpgrade(framework, features, journal, store, patience, handover);
            for (Job.NodeJob node : job.nodes()) {
                if (!journal.read().node(node.node()).finished()) {
                    if (node.node().equals(local)) {
                        upgrade.run(local);
                    } else {
                        followRemote(node.node());
                    }
                }
                if (handover.retired() || journal.read().node(node.node()).state() != UpgradeState.SUCCEEDED) {
                    break;
                }
            }
            if (!handover.retired()) {
                Job done = journal.update(Job::conclude);
                LOG.info("Platform upgrade to {}: {}", done.version(), done.state());
            }
        } catch (RuntimeException e) {
            LOG.error("The platform upgrade stopped", e);
            if (!handover.retired()) {
                journal.update(Job::conclude);
            }
        }
    }

    /** Has {@code node} run its part (asking again while it does not answer, e.g. while its cluster bundle is replaced). */
    private void followRemote(String node) {
        Job job = journal.read();
        boolean started = job.node(node).state() == UpgradeState.RUNNING;
        long deadline = System.nanoTime() + nodePatience.toNanos();
        while (!handover.retired() && System.nanoTime() - deadline < 0) {
            try {
                if (!started) {
                    ask(node, new Message("start", job.id(), job.version(), job.force()), Job.class, ASK_TIMEOUT);
                    started = true;
                    journal.update(j -> j.node(node, n -> n.in(Job.Phase.APPLYING)));
                }
                Job theirs = ask(node, new Message("status", job.id(), null, false), Job.class, ASK_TIMEOUT);
                if (theirs != null && theirs.id().equals(job.id()) && !theirs.running()) {
                    Job.NodeJob result = theirs.nodes().get(0);
                    journal.update(j -> j.node(node, n -> result));
                    return;
                }
            } catch (PlinthException e) {
                if (e.reason() == Reason.CONFLICT) {
                    journal.update(j -> j.node(node, n -> n.ended(UpgradeState.FAILED, e.getMessage())));
                    return;
                }
                LOG.debug("No answer from {} about upgrade {} yet", node, job.id(), e);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!handover.retired()) {
            journal.update(j -> j.node(node, n -> n.ended(UpgradeState.FAILED, node + " did not finish its upgrade within " + nodePatience.toSeconds() + " s")));
        }
    }
}
