package io.plinth.impl.harness;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;

import io.plinth.api.component.ComponentConstants;
import io.plinth.api.component.ComponentContext;
import io.plinth.api.hub.Hub;
import io.plinth.api.hub.Target;
import io.plinth.api.pki.AgentIdentity;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The context one running instance gets; availability changes go back through the harness. */
final class InstanceContext implements ComponentContext {

    interface AvailabilityChanges {
        void availabilityChanged(InstanceContext context, boolean available);
    }

    private final String instanceId;
    private final String type;
    private final String version;
    private final Map<String, String> configuration;
    private final Hub hub;
    private final Logger logger;
    private final AvailabilityChanges availability;
    private final InstanceIdentity identity;

    InstanceContext(String instanceId, String type, String version, Map<String, String> configuration, Hub hub,
                    AvailabilityChanges availability, InstanceIdentity identity) {
        this.identity = identity;
        this.instanceId = instanceId;
        this.type = type;
        this.version = version;
        this.configuration = Map.copyOf(configuration);
        this.hub = hub;
        this.availability = availability;
        this.logger = instanceLogger(LoggerFactory.getLogger("plinth.component." + type), instanceId);
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Map<String, String> configuration() {
        return configuration;
    }

    @Override
    public Hub hub() {
        return hub;
    }

    @Override
    public void setAttribute(String name, String value) {
        hub.putAttribute(Target.instance(instanceId), name, value);
    }

    @Override
    public void setAvailable(boolean available) {
        availability.availabilityChanged(this, available);
    }

    @Override
    public Logger logger() {
        return logger;
    }

    @Override
    public Optional<AgentIdentity> identity() {
        return identity.get();
    }

    /** This copy of the instance ended. */
    void revokeIdentity() {
        identity.revoke();
    }

    /** A logger that puts the instance id in the MDC for each line it writes. */
    private static Logger instanceLogger(Logger target, String instanceId) {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    String previous = MDC.get(ComponentConstants.MDC_INSTANCE);
                    MDC.put(ComponentConstants.MDC_INSTANCE, instanceId);
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (previous == null) {
                            MDC.remove(ComponentConstants.MDC_INSTANCE);
                        } else {
                            MDC.put(ComponentConstants.MDC_INSTANCE, previous);
                        }
                    }
                });
    }
}
