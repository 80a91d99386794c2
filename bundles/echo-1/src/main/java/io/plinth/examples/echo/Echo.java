package io.plinth.examples.echo;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.plinth.api.component.Component;
import io.plinth.api.component.ComponentContext;
import io.plinth.api.component.ComponentController;
import io.plinth.api.hub.NameClaim;
import io.plinth.api.hub.NameOption;
import io.plinth.api.hub.Reply;
import io.plinth.api.hub.Request;
import io.plinth.api.hub.Target;

import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * The echo component. Version 1 answers {@code echo} with the message it got; version 2 (the same
 * source, built as 2.0.0) answers in capitals. Its other operations make it a handy test fixture:
 * {@code relay} (calls another target through the hub), {@code relay-timed} (calls it {@code count}
 * times and reports percentiles: a benchmark's probe), {@code cast-burst} / {@code tally} /
 * {@code tallied} (casts counted where they arrive, another probe), {@code sleep}, {@code fail}, {@code claim}, {@code set-available}, {@code downs} (the
 * monitor notifications it received) and {@code identity} (its certificate's serial and subject). Configuration: {@code refuse-stop=true} makes it refuse a
 * polite terminate; {@code fail-start=true} makes it fail to start; {@code load} is published as
 * its {@code load} attribute.
 */
@org.osgi.service.component.annotations.Component(configurationPid = "io.plinth.examples.echo",
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Component.class)
public final class Echo implements Component {

    private final boolean shouts = FrameworkUtil.getBundle(Echo.class).getVersion().getMajor() >= 2;
    private final List<String> downs = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.LongAdder tally = new java.util.concurrent.atomic.LongAdder();
    private volatile ComponentContext context;

    @Override
    public void start(ComponentContext componentContext) {
        context = componentContext;
        if (Boolean.parseBoolean(context.configuration().get("fail-start"))) {
            throw new IllegalStateException("configured to fail at start");
        }
        String load = context.configuration().get("load");
        if (load != null) {
            context.setAttribute("load", load);
        }
        context.logger().info("echo {} started", context.version());
    }

    @Override
    public boolean stop(String reason) {
        boolean refuse = Boolean.parseBoolean(context.configuration().get("refuse-stop"));
        context.logger().info("asked to stop ({}): {}", reason, refuse ? "refusing" : "stopping");
        return !refuse;
    }

    @Override
    public CompletionStage<Reply> handle(Request request) {
        switch (request.operation()) {
            case "echo":
                return answer(Reply.ok().output("message", echo(request.input("message")))
                        .output("version", context.version()).output("instance", context.instanceId()));
            case "relay":
                // Calls another target through this instance's hub: component-to-component traffic.
                // A pause first (blocking, as a fixture may) keeps the outer call in flight longer.
                pause(Long.parseLong(request.inputs().getOrDefault("pauseMillis", "0")));
                Reply relayed = context.hub().call(Request.to(Target.parse(request.input("target"))).operation("echo")
                        .input("message", request.input("message")).caller(context.instanceId()).build()).get(0);
                return answer(Reply.ok().output("message", relayed.output("message")).output("via", relayed.instanceId()));
            case "relay-timed":
                return answer(relayTimed(Target.parse(request.input("target")), Integer.parseInt(request.inputs().getOrDefault("count", "1000"))));
            case "cast-burst":
                // A benchmark's probe: count casts of "tally" to the target, as fast as the hub takes them.
                Target burstTarget = Target.parse(request.input("target"));
                int casts = Integer.parseInt(request.inputs().getOrDefault("count", "1000"));
                for (int i = 0; i < casts; i++) {
                    context.hub().cast(Request.to(burstTarget).operation("tally").caller(context.instanceId()).build());
                }
                return answer(Reply.ok().output("cast", String.valueOf(casts)));
            case "tally":
                tally.increment();
                return answer(Reply.ok());
            case "tallied":
                return answer(Reply.ok().output("tallied", String.valueOf(tally.sum())));
            case "attachments":
                Reply.Builder copy = Reply.ok();
                request.attachments().forEach(copy::attachment);
                return answer(copy);
            case "sleep":
                long millis = Long.parseLong(request.inputs().getOrDefault("millis", "1000"));
                return CompletableFuture.supplyAsync(() -> Reply.ok().output("slept", String.valueOf(millis)).build(),
                        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
            case "fail":
                throw new IllegalStateException("asked to fail");
            case "claim":
                NameClaim claim = context.hub().claimName(request.input("name"), context.instanceId(),
                        NameOption.valueOf(request.inputs().getOrDefault("option", "QUEUE").toUpperCase(Locale.ROOT)));
                return answer(Reply.ok().output("claim", claim.name()));
            case "set-available":
                context.setAvailable(Boolean.parseBoolean(request.input("available")));
                return answer(Reply.ok());
            case ComponentController.DOWN:
                downs.add(request.input("instance") + " " + request.input("reason"));
                return answer(Reply.ok());
            case "downs":
                return answer(Reply.ok().output("downs", String.join("\n", downs)));
            case "identity":
                // The instance's own certificate (redeemed at the first ask); its serial and subject, never its key.
                return answer(context.identity().map(identity -> Reply.ok()
                        .output("serial", identity.certificate().getSerialNumber().toString(16))
                        .output("subject", identity.certificate().getSubjectX500Principal().getName()))
                        .orElse(Reply.ok().output("serial", "none")));
            default:
                return CompletableFuture.completedFuture(Reply.error("echo knows no operation " + request.operation()));
        }
    }

    /** A benchmark's probe: {@code count} calls in a row to {@code target}'s echo, and how long they took (µs). */
    private Reply.Builder relayTimed(Target target, int count) {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            context.hub().call(Request.to(target).operation("echo").input("message", "x").caller(context.instanceId()).build());
            nanos[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(nanos);
        return Reply.ok().output("count", String.valueOf(count))
                .output("p50", String.valueOf(nanos[count / 2] / 1000.0))
                .output("p99", String.valueOf(nanos[Math.min(count - 1, (int) (count * 0.99))] / 1000.0))
                .output("max", String.valueOf(nanos[count - 1] / 1000.0));
    }

    private String echo(String message) {
        String text = message == null ? "" : message;
        return shouts ? text.toUpperCase(Locale.ROOT) : text;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CompletionStage<Reply> answer(Reply.Builder reply) {
        return CompletableFuture.completedFuture(reply.build());
    }
}
