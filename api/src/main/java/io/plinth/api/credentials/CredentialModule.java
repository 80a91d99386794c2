package io.plinth.api.credentials;

import java.util.Map;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The operations of one kind of credential, registered as an OSGi service: the credentials service
 * runs them with a {@link Secrets} handle, so a module computes with secrets but never reads them.
 */
@ConsumerType
public interface CredentialModule {

    /** The module's name, as credentials name it. */
    String name();

    /** The operations it runs. */
    Set<String> operations();

    /**
     * Checks a credential of this module before it is stored: the shareable data it needs, the
     * secret fields it needs (and, given the handle, that they are usable, e.g. parse as a key).
     * Throws INVALID otherwise.
     */
    void check(Map<String, String> shareable, Set<String> secretFields, Secrets secrets);

    /** Runs {@code operation}; INVALID for inputs it cannot use. */
    Map<String, String> run(String operation, Map<String, String> shareable, Secrets secrets, Map<String, String> inputs);
}
