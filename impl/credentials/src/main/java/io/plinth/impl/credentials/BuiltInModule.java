package io.plinth.impl.credentials;

import java.util.Set;

import io.plinth.api.credentials.CredentialModule;
import io.plinth.api.error.PlinthException;

/** What the built-in modules share: a name, their operations, and checking the secret fields a credential brings. */
abstract class BuiltInModule implements CredentialModule {

    private final String name;
    private final Set<String> operations;

    BuiltInModule(String name, String... operations) {
        this.name = name;
        this.operations = Set.of(operations);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Set<String> operations() {
        return operations;
    }

    /** INVALID unless the credential's secret fields are exactly {@code field}. */
    final void requireSecretField(Set<String> secretFields, String field) {
        if (!secretFields.equals(Set.of(field))) {
            throw PlinthException.invalid("this " + name + " credential has one secret field, '" + field + "', not " + secretFields);
        }
    }
}
