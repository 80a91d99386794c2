package io.plinth.api.component;

/** Names shared by the controller, the harness and components: configuration keys and headers. */
public final class ComponentConstants {

    /** Instance configuration and endpoint service property: the 160-bit instance id (hex). */
    public static final String INSTANCE_ID = "plinth.instance.id";
    /** Instance configuration and endpoint service property: the component type's name. */
    public static final String TYPE = "plinth.type";
    /** Instance configuration and endpoint service property: the component type's exact version. */
    public static final String VERSION = "plinth.version";
    /** Instance configuration and endpoint service property: groups joined at start (String[]). */
    public static final String GROUPS = "plinth.groups";
    /** Instance configuration and endpoint service property: the node the instance runs on. */
    public static final String NODE = "plinth.node";

    /** Manifest header naming the configuration PID of the component a bundle type runs. */
    public static final String COMPONENT_HEADER = "Plinth-Component";

    /** MDC key holding the instance id while a component logs or handles a request. */
    public static final String MDC_INSTANCE = "plinth.instance";

    private ComponentConstants() {
    }
}
