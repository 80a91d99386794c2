package io.plinth.impl.harness.apart;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.plinth.api.component.ComponentContext;
import io.plinth.api.hub.Hub;

import org.slf4j.Logger;

/**
 * What a running component holds as its {@link ComponentContext}: a proxy over this handler, which
 * sends every call to the context the harness's current revision keeps for the instance in the
 * bundle's shared map (key {@code context:ID}). The hub and logger it answers are proxies of the
 * same kind. So a component started by one revision of the harness goes on working with the next,
 * and holds nothing of either. Between two revisions (while the harness is updated) a call waits for
 * the next one. Refers only to the JDK and the API, and is loaded apart from the harness bundle.
 */
public final class LiveContext implements InvocationHandler {

    /** Longer than a live update of the harness takes. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Map<String, Object> shared;
    private final String key;
    /** The accessor leading from the context to what this proxy stands for (hub, logger), or null for the context itself. */
    private final Method accessor;

    /** @param accessor null for the context itself (the harness makes it so: {@code ComponentHarness#start}) */
    public LiveContext(Map<String, Object> shared, String key, Method accessor) {
        this.shared = shared;
        this.key = key;
        this.accessor = accessor;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == arguments[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "live " + (accessor == null ? "context" : accessor.getName()) + " of " + key;
            };
        }
        Class<?> type = method.getReturnType();
        if (accessor == null && method.getParameterCount() == 0 && (type == Hub.class || type == Logger.class)) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new LiveContext(shared, key, method));
        }
        try {
            return method.invoke(target(), arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Object target() throws Exception {
        Object context = shared.get(key);
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (context instanceof Long && System.nanoTime() - deadline < 0) { // the harness is being replaced
            Thread.sleep(5);
            context = shared.get(key);
        }
        if (!(context instanceof ComponentContext current)) {
            throw new IllegalStateException(key + " is not running on this node any more");
        }
        return accessor == null ? current : accessor.invoke(current);
    }
}
