package io.plinth.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The discovery service of a node run as a process, asked with {@code dig} over UDP and TCP:
 * hub groups (of the example web component, which publishes {@code http.address}), instances,
 * the cluster's nodes, and records published through REST.
 */
public class DiscoveryIT {

    private static final String ZONE = "plinth.internal.";
    private static NodeProcess node;

    @BeforeClass
    public static void startNode() throws Exception {
        node = new NodeProcess(Path.of("target/nodes/discovery"), 22000);
        node.start();
        node.awaitUp(Duration.ofSeconds(120));
        assertEquals(201, node.http().post("/cluster", "{\"name\":\"dns-test\"}").status());
        for (String type : List.of("web", "echo")) {
            Http.Answer registered = node.http().post("/types", "{\"name\":\"" + type + "\",\"version\":\"1.0.0\",\"kind\":\"bundle\","
                    + "\"artifact\":\"mvn:io.plinth.examples/" + type + "/1.0.0\"}");
            assertEquals(registered.body(), 201, registered.status());
        }
    }

    @AfterClass
    public static void stopNode() throws Exception {
        node.close();
    }

    @Test
    public void groupsAndInstancesAnswerWhileMembersComeAndGo() throws Exception {
        List<String> ids = instances("web", "Shop", 2);
        Set<String> ports = new TreeSet<>();
        for (JsonNode member : node.http().get("/groups/Shop/members").json()) {
            String address = member.get("attributes").get("http.address").asText();
            ports.add(address.substring(address.lastIndexOf(':') + 1));
        }
        assertEquals(List.of("127.0.0.1"), dig("A", "shop.group." + ZONE));
        List<String> services = dig("SRV", "_http._tcp.shop.group." + ZONE);
        assertEquals(2, services.size());
        Set<String> answeredPorts = new TreeSet<>();
        for (String service : services) {
            String[] fields = service.split(" ");
            answeredPorts.add(fields[2]);
            assertTrue(service, fields[3].endsWith(".instance." + ZONE));
        }
        assertEquals(ports, answeredPorts);
        assertEquals("the same over TCP", services.size(), dig("+tcp", "SRV", "_http._tcp.shop.group." + ZONE).size());
        assertEquals(2, dig("TXT", "shop.group." + ZONE).size());
        assertEquals(List.of("127.0.0.1"), dig("A", ids.get(0) + ".instance." + ZONE));
        assertTrue(dig("TXT", ids.get(0) + ".instance." + ZONE).stream().anyMatch(t -> t.contains("http.address=127.0.0.1:")));

        assertEquals(200, node.http().post("/instances/" + ids.get(1) + "/destroy", "{}").status());
        assertEquals("a member that is gone is gone from DNS", 1, dig("SRV", "_http._tcp.shop.group." + ZONE).size());
        assertEquals("NXDOMAIN", status("A", ids.get(1) + ".instance." + ZONE));
        assertEquals("NXDOMAIN", status("A", "nobody.group." + ZONE));
        assertEquals("NOERROR", status("SOA", ZONE));
        assertEquals("an authoritative server answers for its zone only", "REFUSED", status("A", "example.com."));
    }

    @Test
    public void onlyAvailableMembersAreListed() throws Exception {
        String id = instances("echo", "quiet", 1).get(0);
        assertEquals(204, node.http().put("/attributes/instance:" + id + "/http.address", "{\"value\":\"127.0.0.1:9\"}").status());
        assertEquals(List.of("0 1 9 " + id + ".instance." + ZONE), dig("SRV", "_http._tcp.quiet.group." + ZONE));
        call(id, "false");
        assertEquals("NXDOMAIN", status("SRV", "_http._tcp.quiet.group." + ZONE));
        call(id, "true");
        assertEquals(1, dig("SRV", "_http._tcp.quiet.group." + ZONE).size());
    }

    @Test
    public void nodesAndPublishedRecordsAnswer() throws Exception {
        assertEquals("once the cluster channel is up", List.of("127.0.0.1"), awaitDig(Duration.ofSeconds(20), "A", "discovery.node." + ZONE));
        assertEquals(List.of("0 1 " + node.clusterPort() + " discovery.node." + ZONE), dig("SRV", "_plinth._tcp.node." + ZONE));
        assertEquals(200, node.http().post("/cluster/members/discovery/unavailable", "").status());
        assertEquals("a node marked unavailable is not listed", "NXDOMAIN", status("A", "discovery.node." + ZONE));
        assertEquals(200, node.http().post("/cluster/members/discovery/available", "").status());
        assertEquals(List.of("127.0.0.1"), dig("A", "discovery.node." + ZONE));

        Http.Answer published = node.http().put("/dns/records/billing/A", "{\"values\":[\"10.1.2.3\",\"10.1.2.4\"],\"ttlSeconds\":60}");
        assertEquals(published.body(), 200, published.status());
        assertEquals("billing." + ZONE, published.json().get("name").asText());
        assertEquals(List.of("10.1.2.3", "10.1.2.4"), sorted(dig("A", "billing." + ZONE)));
        assertEquals(200, node.http().put("/dns/records/_db._tcp.billing/SRV", "{\"values\":[\"0 1 5432 billing\"]}").status());
        assertEquals(List.of("0 1 5432 billing." + ZONE), dig("SRV", "_db._tcp.billing." + ZONE));
        assertEquals(400, node.http().put("/dns/records/billing/A", "{\"values\":[\"not-an-address\"]}").status());
        assertEquals(400, node.http().put("/dns/records/billing/MX", "{\"values\":[\"10 mail\"]}").status());
        assertEquals(400, node.http().put("/dns/records/other.example.com./A", "{\"values\":[\"10.0.0.1\"]}").status());
        assertEquals(204, node.http().delete("/dns/records/billing/A").status());
        assertEquals(404, node.http().delete("/dns/records/billing/A").status());
        assertEquals("a name with records below it exists (RFC 8020)", "NOERROR", status("A", "billing." + ZONE));
        assertEquals("NOERROR", status("A", "_tcp.billing." + ZONE));
        assertEquals("NXDOMAIN", status("A", "nothing." + ZONE));
        assertEquals("NOERROR", status("A", "group." + ZONE));
    }

    private static List<String> instances(String type, String group, int count) throws Exception {
        Http.Answer created = node.http().post("/instances", "{\"type\":\"" + type + "\",\"version\":\"1.0.0\",\"count\":" + count
                + ",\"groups\":[\"" + group + "\"]}");
        assertEquals(created.body(), 201, created.status());
        List<String> ids = new ArrayList<>();
        created.json().forEach(instance -> ids.add(instance.get("id").asText()));
        return ids;
    }

    private static void call(String instance, String available) throws Exception {
        Http.Answer answer = node.http().post("/calls", "{\"target\":\"instance:" + instance + "\",\"operation\":\"set-available\","
                + "\"inputs\":{\"available\":\"" + available + "\"}}");
        assertEquals(answer.body(), 200, answer.status());
    }

    /** The answers {@code dig +short} prints, one per line. */
    private static List<String> dig(String... query) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : run(query, "+short").split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.trim());
            }
        }
        return lines;
    }

    /** The first non-empty answer within {@code patience}. */
    private static List<String> awaitDig(Duration patience, String... query) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        List<String> answer = dig(query);
        while (answer.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(100);
            answer = dig(query);
        }
        return answer;
    }

    /** The status of an answer: NOERROR, NXDOMAIN, REFUSED... */
    private static String status(String type, String name) throws Exception {
        String out = run(new String[] {type, name}, "+noall", "+comments");
        int at = out.indexOf("status: ");
        assertTrue("dig printed no status: " + out, at >= 0);
        return out.substring(at + 8, out.indexOf(',', at));
    }

    private static String run(String[] query, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(node.dnsPort()), "+norecurse",
                "+time=2", "+tries=1"));
        command.addAll(Arrays.asList(options));
        command.addAll(Arrays.asList(query));
        Process dig = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("dig did not finish", dig.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    private static List<String> sorted(List<String> values) {
        List<String> copy = new ArrayList<>(values);
        java.util.Collections.sort(copy);
        return copy;
    }
}
