package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.plinth.api.cluster.ClusterService;
import io.plinth.api.component.ComponentController;
import io.plinth.api.component.Instance;
import io.plinth.api.component.InstanceState;
import io.plinth.api.hub.Hub;
import io.plinth.api.hub.NameOption;
import io.plinth.api.hub.Target;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Replaces every platform bundle live, ten times in a row each, while clients keep using the
 * platform through every door it has: hub calls (over REST, and from instances calling each
 * other), the gateway's HTTP traffic to a hub group of web components, REST reads, credential
 * signatures, certificate listings and new TLS connections to the management port. No request may
 * fail, no state may be lost (memberships, names, attributes, instances, routes, certificates,
 * credentials), and every retired bundle revision's class loader must be collectable afterwards.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LiveUpdateIT extends PlinthTestSupport {

    private static final int CHAIN = 10;
    private static final String HMAC_INPUT = "{\"inputs\":{\"message\":\"what do ya want for nothing?\"}}";
    /** RFC 4231 test case 2: HMAC-SHA256 of the input above with the key "Jefe". */
    private static final String HMAC_EXPECTED = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    /** What the platform holds before the first swap, to be found unchanged after each chain. */
    private static Fixture fixture;

    private record Fixture(Set<String> liveIds, String extraMember, List<String> nameQueue, String attributeInstance,
                           String caFingerprint, Set<String> certificates, String relay, int instanceCount) {
    }

    private final Http http = http();
    private final HttpClient gatewayClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    @Configuration
    public Option[] config() {
        return OptionUtils.combine(super.config(),
                editConfigurationFilePut("etc/io.plinth.cluster.cfg", "joinHost", "127.0.0.1"),
                editConfigurationFilePut("etc/io.plinth.cluster.cfg", "joinPort", "17900"),
                editConfigurationFilePut("etc/io.plinth.cluster.cfg", "clusterHost", "127.0.0.1"),
                editConfigurationFilePut("etc/io.plinth.cluster.cfg", "clusterPort", "17800"),
                editConfigurationFilePut("etc/io.plinth.discovery.cfg", "port", "18053"));
    }

    @Before
    public void platformInUse() throws Exception {
        if (fixture != null) {
            return;
        }
        http.awaitUp(Duration.ofSeconds(30));
        addExamples();
        current(ClusterService.class).initialize("live-update");
        controller.registerType(echoType("1.0.0"));
        controller.registerType(echoType("2.0.0"));
        for (String version : List.of("1.0.0", "2.0.0")) {
            assertEquals(201, http.post("/types", "{\"name\":\"web\",\"version\":\"" + version + "\",\"kind\":\"bundle\","
                    + "\"artifact\":\"mvn:io.plinth.examples/web/" + version + "\"}").status());
        }
        List<Instance> echoes = new ArrayList<>(createEcho("1.0.0", 3, List.of("live"), Map.of()));
        echoes.addAll(createEcho("2.0.0", 3, List.of("live"), Map.of()));
        Http.Answer webs = http.post("/instances", "{\"type\":\"web\",\"version\":\"1.0.0\",\"count\":2,\"groups\":[\"web\"]}");
        assertEquals(webs.body(), 201, webs.status());
        Http.Answer version = http.post("/routes/default/versions", "{\"version\":1.0,\"group\":\"web\",\"mode\":\"INSTANT\"}");
        assertTrue(version.body(), version.status() / 100 == 2);
        Http.Answer credential = http.post("/credentials", "{\"name\":\"live-hmac\",\"module\":\"hmac-sha256\",\"secrets\":{\"key\":\"Jefe\"}}");
        assertEquals(credential.body(), 201, credential.status());
        // Soft state the hub must hand to its successors: a dynamic membership, a name queue, attributes.
        hub.register(echoes.get(1).id(), "extra");
        hub.claimName("live-leader", echoes.get(2).id(), NameOption.QUEUE);
        hub.claimName("live-leader", echoes.get(3).id(), NameOption.QUEUE);
        hub.putAttribute(Target.instance(echoes.get(4).id()), "load", "42");
        hub.putAttribute(Target.group("live"), "epoch", "7");
        // An instance certificate issued through a one-time token, next to the node's own.
        Http.Answer identity = http.post("/calls", "{\"target\":\"instance:" + echoes.get(5).id() + "\",\"operation\":\"identity\"}");
        assertEquals(identity.body(), 200, identity.status());
        Set<String> certificates = new java.util.HashSet<>();
        http.get("/pki/certificates").json().forEach(issued -> certificates.add(issued.get("serial").asText()));
        assertTrue("the node's and the instance's certificates: " + certificates, certificates.size() >= 2);
        fixture = new Fixture(echoes.stream().map(Instance::id).collect(Collectors.toSet()), echoes.get(1).id(),
                List.of(echoes.get(2).id(), echoes.get(3).id()), echoes.get(4).id(),
                current(ClusterService.class).info().caFingerprint(), certificates, echoes.get(0).id(), 8);
        assertEquals(200, gateway("/").statusCode());
    }

    @Test
    public void hub() throws Exception {
        chainOfUpdates("hub");
    }

    @Test
    public void harness() throws Exception {
        chainOfUpdates("harness");
    }

    @Test
    public void controller() throws Exception {
        chainOfUpdates("controller");
    }

    @Test
    public void rest() throws Exception {
        chainOfUpdates("rest");
    }

    @Test
    public void shell() throws Exception {
        chainOfUpdates("shell");
    }

    @Test
    public void gateway() throws Exception {
        chainOfUpdates("gateway");
    }

    @Test
    public void cluster() throws Exception {
        chainOfUpdates("cluster");
    }

    @Test
    public void discovery() throws Exception {
        chainOfUpdates("discovery");
    }

    @Test
    public void credentials() throws Exception {
        chainOfUpdates("credentials");
    }

    @Test
    public void management() throws Exception {
        chainOfUpdates("management");
    }

    @Test
    public void upgrade() throws Exception {
        chainOfUpdates("upgrade");
    }

    /**
     * A call in flight during a hub swap whose component calls the hub again: the inner call can only
     * be served by the new hub, so the old one must not wait for the outer call before it goes.
     */
    @Test
    public void aCallThatCallsTheHubSurvivesASwap() throws Exception {
        String body = "{\"target\":\"instance:" + fixture.relay() + "\",\"operation\":\"relay\",\"expiryMs\":5000,"
                + "\"inputs\":{\"target\":\"group:live\",\"message\":\"inner\",\"pauseMillis\":\"500\"}}";
        CompletableFuture<Http.Answer> relayed = CompletableFuture.supplyAsync(() -> {
            try {
                return http.post("/calls", body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200); // the relay now pauses inside its handler, before its inner call
        update(bundle("hub"));
        Http.Answer answer = relayed.get(30, TimeUnit.SECONDS);
        assertEquals(answer.body(), 200, answer.status());
        assertEquals(answer.body(), "inner", answer.json().get(0).get("outputs").get("message").asText());
    }

    /**
     * Updates one platform bundle {@value #CHAIN} times under load, then checks that nothing failed,
     * nothing was lost and no retired revision stays reachable.
     */
    private void chainOfUpdates(String name) throws Exception {
        hub = null; // the services injected may be the ones about to retire: this test must not hold them
        controller = null;
        Bundle bundle = bundle(name);
        List<WeakReference<ClassLoader>> retired = new ArrayList<>();
        List<Load> loads = startLoads();
        Thread.sleep(300);
        List<Long> swapMillis = new ArrayList<>();
        for (int i = 0; i < CHAIN; i++) {
            retired.add(new WeakReference<>(bundle.adapt(BundleWiring.class).getClassLoader()));
            swapMillis.add(update(bundle));
            Thread.sleep(300);
        }
        long requests = 0;
        double slowest = 0;
        List<String> failures = new ArrayList<>();
        for (Load load : loads) {
            load.stop();
            requests += load.successes();
            slowest = Math.max(slowest, load.slowestMillis());
            failures.addAll(load.failures());
        }
        String figures = String.format("live update of %s: %d swaps of %s ms, %d requests, slowest %.1f ms, %d failed",
                name, CHAIN, swapMillis, requests, slowest, failures.size());
        System.out.println(figures);
        Files.writeString(Path.of(System.getProperty("plinth.benchmarks")), figures + System.lineSeparator(),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        assertEquals("failed requests while " + name + " was swapped", List.of(), failures.stream().distinct().limit(20).toList());
        assertTrue("the clients kept going", requests > 100);
        assertStateKept();
        assertCollected(name, retired);
    }

    /** Every door of the platform, each with clients that count what did not answer as it should. */
    private List<Load> startLoads() {
        String relay = fixture.relay();
        List<String> calls = List.of(
                "{\"target\":\"group:live\",\"operation\":\"echo\",\"inputs\":{\"message\":\"m\"}}",
                "{\"target\":\"group:live\",\"selector\":\"all\",\"operation\":\"echo\",\"inputs\":{\"message\":\"m\"}}",
                "{\"target\":\"instance:" + relay + "\",\"operation\":\"relay\",\"inputs\":{\"target\":\"group:live\",\"message\":\"m\"}}",
                // Paused before its inner call, a relay is often in flight while the hub is swapped.
                "{\"target\":\"instance:" + relay + "\",\"operation\":\"relay\",\"inputs\":{\"target\":\"group:live\",\"message\":\"m\",\"pauseMillis\":\"30\"}}");
        List<Load> loads = new ArrayList<>();
        for (String call : calls) {
            loads.add(new Load(1, () -> {
                Http.Answer answer = http.post("/calls", call);
                return answer.status() == 200 && !answer.body().contains("\"error\":\"") ? null : "call: " + answer.status() + " " + answer.body();
            }));
        }
        loads.add(new Load(1, () -> {
            Http.Answer listed = http.get("/instances");
            return listed.status() == 200 && listed.json().size() == fixture.instanceCount() ? null : "instances: " + listed.status() + " " + listed.body();
        }));
        loads.add(new Load(2, () -> {
            HttpResponse<String> answer = gateway("/");
            return answer.statusCode() == 200 && answer.body().startsWith("web 1.0.0 ") ? null : "gateway: " + answer.statusCode() + " " + answer.body();
        }));
        loads.add(new Load(1, () -> {
            Http.Answer signed = http.post("/credentials/live-hmac/sign", HMAC_INPUT);
            return signed.status() == 200 && HMAC_EXPECTED.equals(signed.json().get("signature").asText()) ? null
                    : "sign: " + signed.status() + " " + signed.body();
        }));
        loads.add(new Load(1, () -> {
            Http.Answer issued = http.get("/pki/certificates");
            return issued.status() == 200 ? null : "certificates: " + issued.status() + " " + issued.body();
        }));
        loads.add(new Load(1, () -> {
            int status = http.statusOnNewConnection("/cluster");
            return status == 200 ? null : "new TLS connection: " + status;
        }));
        return loads;
    }

    private void assertStateKept() throws Exception {
        // Injected services may be retired ones now: ask the registry for the current ones.
        Hub hub = current(Hub.class);
        assertEquals(fixture.liveIds(), hub.members("live").stream().map(m -> m.instanceId()).collect(Collectors.toSet()));
        assertEquals(List.of(fixture.extraMember()), hub.members("extra").stream().map(m -> m.instanceId()).toList());
        assertEquals(fixture.nameQueue(), hub.nameQueue("live-leader"));
        assertEquals("42", hub.attributes(Target.instance(fixture.attributeInstance())).get("load"));
        assertEquals("7", hub.attributes(Target.group("live")).get("epoch"));
        List<Instance> instances = current(ComponentController.class).instances();
        assertEquals(fixture.instanceCount(), instances.size());
        assertTrue(fixture.liveIds().stream().allMatch(id -> instances.stream().anyMatch(i -> i.id().equals(id))));
        for (Instance instance : instances) {
            assertEquals(instance.id(), InstanceState.AVAILABLE, instance.state());
        }
        JsonNode route = http.get("/routes/default").json();
        assertEquals(route.toString(), "web", route.get("versions").get(0).get("group").asText());
        assertTrue(route.toString(), route.get("versions").get(0).get("rolledBack").isNull());
        assertEquals(fixture.caFingerprint(), current(ClusterService.class).info().caFingerprint());
        Map<String, JsonNode> issued = new java.util.HashMap<>();
        http.get("/pki/certificates").json().forEach(certificate -> issued.put(certificate.get("serial").asText(), certificate));
        for (String serial : fixture.certificates()) {
            assertTrue("certificate " + serial + " kept", issued.containsKey(serial));
            assertTrue("certificate " + serial + " not revoked", issued.get(serial).get("revokedAt").isNull());
        }
        assertEquals(200, http.get("/credentials/live-hmac").status());
    }

    /** Every retired revision's class loader becomes unreachable once nothing runs its code any more. */
    private static void assertCollected(String name, List<WeakReference<ClassLoader>> retired) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long left;
        do {
            System.gc();
            Thread.sleep(200);
            left = retired.stream().filter(reference -> reference.get() != null).count();
        } while (left > 0 && System.nanoTime() - deadline < 0);
        if (left > 0) { // for a post-mortem (-Dplinth.keep=true keeps it): what holds them
            java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .dumpHeap(Path.of(System.getProperty("karaf.data"), "retired-" + name + ".hprof").toString(), true);
        }
        assertEquals("class loaders of retired " + name + " revisions still reachable", 0, left);
    }

    private HttpResponse<String> gateway(String path) throws Exception {
        return gatewayClient.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:18080" + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code bundle:update} from a copy of the freshly built jar; answers how long the update took. */
    private static long update(Bundle bundle) throws Exception {
        String name = bundle.getSymbolicName().substring("io.plinth.".length());
        Path built = Path.of(System.getProperty("plinth.impl"), name, "target", "plinth-" + name + "-" + VERSION + ".jar");
        Path rebuilt = Files.createTempFile("rebuilt-", ".jar");
        Files.copy(built, rebuilt, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
