package io.plinth.api.hub;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The component hub (seed §4.7.2): discovery by groups, call and cast, attributes, unique names.
 *
 * <p>Endpoints are OSGi services of type {@code io.plinth.api.component.Component} carrying their
 * identity as properties; the hub tracks them. Observers register {@link HubListener} services.
 * Every method fails with {@link io.plinth.api.error.PlinthException}.
 */
@ProviderType
public interface Hub {

    /** Attribute names with this prefix are the platform's own. */
    String RESERVED_PREFIX = "plinth.";

    /** Reserved attribute: present with value "false" while an instance is unavailable. */
    String AVAILABLE_ATTRIBUTE = "plinth.available";

    /** Adds an instance to a group; answers the number of members afterwards, itself included. */
    int register(String instanceId, String group);

    /** Removes an instance from a group; answers the number of members left. */
    int unregister(String instanceId, String group);

    /** Every group that has at least one member. */
    Set<String> groups();

    /** Every member of a group, in a stable order (empty when the group has none). */
    List<Member> members(String group);

    /** The members of a group that a selector picks. */
    List<Member> select(String group, Selector selector);

    /** One member of a group, waiting up to {@code timeout} for the first to appear. */
    Member awaitMember(String group, Duration timeout);

    /**
     * Sends a request and waits for the answers until it expires: one reply for an instance, a
     * name or a single-member selector, one per member for {@link Selector#ALL} (members that do
     * not answer in time get a reply whose error says so).
     */
    List<Reply> call(Request request);

    /** Sends a request without waiting for, or receiving, any answer. */
    void cast(Request request);

    /**
     * Sets an attribute of an instance or a group; a null value removes it. Names starting with
     * {@value #RESERVED_PREFIX} belong to the platform and are refused.
     */
    void putAttribute(Target target, String name, String value);

    /**
     * Marks an instance usable by selectors or not (an unavailable instance still answers calls
     * addressed to it). The harness calls this for {@code ComponentContext.setAvailable}.
     */
    void setAvailable(String instanceId, boolean available);

    /** The attributes of an instance or a group. */
    Map<String, String> attributes(Target target);

    /** Asks for a unique name for an instance (gproc/D-Bus style); see {@link NameOption}. */
    NameClaim claimName(String name, String instanceId, NameOption option);

    /** Gives a name up, or leaves its queue; the next queued instance becomes the owner. */
    void releaseName(String name, String instanceId);

    /** The current owner of a unique name. */
    Optional<String> nameOwner(String name);

    /** The owner first, then the instances queued for a unique name. */
    List<String> nameQueue(String name);
}
