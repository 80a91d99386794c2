package io.plinth.api.credentials;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps credentials — shareable data plus confidential data, the latter encrypted at rest and
 * never handed out — and runs the operations of their modules with them for callers a policy
 * allows. Every use is an audit event. Every method fails with
 * {@link io.plinth.api.error.PlinthException}.
 */
@ProviderType
public interface CredentialService {

    /**
     * Adds a credential for {@code caller} (policies name this operation {@code add}). The
     * secrets' characters are copied and then overwritten with zeros in the arrays given, whatever
     * the outcome. DENIED when no policy allows it; INVALID when the module is unknown or rejects
     * the fields, or a secret is empty; CONFLICT when the name is taken.
     */
    Credential add(String caller, String name, String module, Map<String, String> shareable, Map<String, char[]> secrets);

    /** Every credential, sorted by name. */
    List<Credential> list();

    /** NOT_FOUND when there is no such credential. */
    Credential credential(String name);

    /** Removes a credential and its secrets for {@code caller} (operation {@code remove}); DENIED, or NOT_FOUND when there is none. */
    void remove(String caller, String name);

    /**
     * Runs an operation of the credential's module for {@code caller} (an identity such as
     * {@code shell:karaf} or, from a client certificate, {@code O/UID}) and answers its outputs.
     * DENIED when no policy lets the caller run it (checked before anything is looked up);
     * NOT_FOUND for an unknown credential or operation; INVALID for inputs the module rejects.
     */
    Map<String, String> run(String caller, String credential, String operation, Map<String, String> inputs);

    /** The modules available now, with their operations. */
    Map<String, List<String>> modules();
}
