package io.plinth.impl.management.delegates;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The servlet filter in front of the REST API, as Pax Web keeps it: a proxy of
 * {@code javax.servlet.Filter} over this handler, registered once with the framework's context and
 * never removed (removing a filter fails the requests already on their way through it). Each
 * request goes to the hold of the management bundle's current revision, which that revision keeps
 * under {@value #HOLD} in the bundle's shared map; between two revisions (a live update) the
 * request waits for the next one. Refers to the JDK only, and is loaded apart (see
 * {@code LoadedApart}), so it pins no revision of the bundle.
 */
public final class HeldRequests implements InvocationHandler {

    /** The shared map's key: the current revision's {@code Consumer} of {@code doFilter}'s arguments, or when it left (a {@code Long} of nanoTime). */
    public static final String HOLD = "rest-hold";
    /** Longer than a live update of the management bundle takes. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Map<String, Object> shared;

    public HeldRequests(Map<String, Object> shared) {
        this.shared = shared;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
        return switch (method.getName()) {
            case "doFilter" -> {
                doFilter(method, arguments);
                yield null;
            }
            case "equals" -> proxy == arguments[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "Plinth REST hold";
            default -> null; // init, destroy: nothing to set up or tear down
        };
    }

    @SuppressWarnings("unchecked")
    private void doFilter(Method method, Object[] arguments) throws Throwable {
        Object hold = shared.get(HOLD);
        while (hold instanceof Long leftAt && System.nanoTime() - leftAt < PATIENCE_NANOS) {
            Thread.sleep(5);
            hold = shared.get(HOLD);
        }
        if (hold instanceof Consumer<?> current) {
            ((Consumer<Object[]>) current).accept(arguments);
            return;
        }
        // No management bundle any more: requests pass as if there were no filter.
        Class<?>[] types = method.getParameterTypes(); // ServletRequest, ServletResponse, FilterChain
        try {
            types[2].getMethod("doFilter", types[0], types[1]).invoke(arguments[2], arguments[0], arguments[1]);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
