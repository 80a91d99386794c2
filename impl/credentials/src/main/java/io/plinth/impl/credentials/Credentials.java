package io.plinth.impl.credentials;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.plinth.api.credentials.Credential;
import io.plinth.api.credentials.CredentialModule;
import io.plinth.api.credentials.CredentialService;
import io.plinth.api.error.PlinthException;
import io.plinth.api.error.Reason;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials service (seed 000 §4.8): credentials sealed on disk by {@link SealedStore}, their
 * operations run by {@link CredentialModule} services with a {@link SealedSecrets} handle, each use
 * checked against {@link Policies} and written to the audit log ({@code io.plinth.audit}) — names,
 * never secrets.
 */
@Component(service = CredentialService.class, configurationPid = "io.plinth.credentials", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = Credentials.Config.class)
public final class Credentials implements CredentialService {

    @ObjectClassDefinition(name = "Plinth credentials", description = "Who may use which credential")
    public @interface Config {
        @AttributeDefinition(description = "Rules 'CALLER CREDENTIAL OPERATION', comma-separated, '*' for any characters;"
                + " callers are shell:USER, user:NAME (an admin through REST) or O/UID (a client certificate)")
        String policies() default "shell:* * *, user:* * *";
    }

    private static final Logger AUDIT = LoggerFactory.getLogger("io.plinth.audit.credentials");
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    /** Names REST uses for something else ({@code /credentials/modules}). */
    private static final Set<String> RESERVED = Set.of("modules");
    private static final String OPERATION = "[a-z0-9][a-z0-9-]{0,62}";
    /** Identities as transports name them: shell:USER, user:NAME, O/UID */
    private static final String CALLER = "[A-Za-z0-9][A-Za-z0-9._:=/@-]{0,255}";
    /** The operations policies name for managing credentials, besides their modules' operations. */
    static final String ADD = "add";
    static final String REMOVE = "remove";
    private static final Logger LOG = LoggerFactory.getLogger(Credentials.class);

    /**
     * The built-in modules are part of this service rather than services of their own: a successor
     * of this bundle then never answers a request before it knows them. Other bundles' modules come
     * and go as services.
     */
    private final Map<String, CredentialModule> modules = new ConcurrentHashMap<>(Stream.of(new HmacModule(), new AwsSigV4Module(),
            new JwsModule(), new SignatureModule()).collect(Collectors.toMap(CredentialModule::name, module -> module)));
    private SealedStore store;
    private volatile Map<String, SealedStore.Stored> credentials = Map.of();
    private volatile Policies policies;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addModule(CredentialModule module) {
        CredentialModule first = modules.putIfAbsent(module.name(), module);
        if (first != null && first != module) {
            LOG.warn("A second credential module named {} ({}) is ignored: the first one keeps the name", module.name(),
                    module.getClass().getName());
        }
    }

    void removeModule(CredentialModule module) {
        modules.remove(module.name(), module);
    }

    @Activate
    void activate(Config config) {
        store = new SealedStore();
        Map<String, SealedStore.Stored> read = new TreeMap<>();
        store.read().forEach(stored -> read.put(stored.name(), stored));
        credentials = Map.copyOf(read);
        modified(config);
    }

    @Modified
    void modified(Config config) {
        policies = new Policies(config.policies());
    }

    @Override
    public synchronized Credential add(String caller, String name, String module, Map<String, String> shareable,
                                       Map<String, char[]> secrets) {
        try {
            authorize(caller, name, ADD);
            if (credentials.containsKey(name)) {
                throw PlinthException.conflict("there is a credential named " + name + " already");
            }
            CredentialModule checker = module(module);
            Map<String, String> data = withoutNulls(shareable, "shareable data");
            Map<String, String> sealed = new TreeMap<>();
            for (Map.Entry<String, char[]> secret : secrets.entrySet()) {
                if (secret.getKey() == null || secret.getValue() == null || secret.getValue().length == 0) {
                    throw PlinthException.invalid("the secret field " + secret.getKey() + " is empty");
                }
                sealed.put(secret.getKey(), store.seal(name, secret.getKey(), secret.getValue()));
            }
            SealedStore.Stored stored = new SealedStore.Stored(name, module, data, sealed, System.currentTimeMillis());
            try (SealedSecrets handle = new SealedSecrets(store, stored)) {
                checker.check(stored.shareable(), stored.sealed().keySet(), handle);
            }
            Map<String, SealedStore.Stored> next = new TreeMap<>(credentials);
            next.put(name, stored);
            save(next);
            AUDIT.info("credential-add caller={} credential={} module={} secretFields={}", caller, name, module, sealed.keySet());
            return view(stored);
        } finally {
            secrets.values().forEach(secret -> {
                if (secret != null) {
                    Arrays.fill(secret, '\0');
                }
            });
        }
    }

    @Override
    public List<Credential> list() {
        return credentials.values().stream().map(Credentials::view).sorted(Comparator.comparing(Credential::name)).toList();
    }

    @Override
    public Credential credential(String name) {
        return view(stored(name));
    }

    @Override
    public synchronized void remove(String caller, String name) {
        authorize(caller, name, REMOVE);
        stored(name);
        Map<String, SealedStore.Stored> next = new TreeMap<>(credentials);
        next.remove(name);
        save(next);
        AUDIT.info("credential-remove caller={} credential={}", caller, name);
    }

    @Override
    public Map<String, String> run(String caller, String credential, String operation, Map<String, String> inputs) {
        authorize(caller, credential, operation);
        SealedStore.Stored stored = stored(credential);
        CredentialModule module = module(stored.module());
        if (!module.operations().contains(operation)) {
            throw PlinthException.notFound("module " + stored.module() + " has no operation " + operation + "; it has " + module.operations());
        }
        try (SealedSecrets handle = new SealedSecrets(store, stored)) {
            Map<String, String> outputs = module.run(operation, stored.shareable(), handle, withoutNulls(inputs, "inputs"));
            AUDIT.info("credential-use caller={} credential={} operation={} outcome=ok", caller, credential, operation);
            return outputs;
        } catch (RuntimeException e) {
            AUDIT.info("credential-use caller={} credential={} operation={} outcome=failed", caller, credential, operation);
            throw e;
        }
    }

    /**
     * Checks the names first (they go into audit lines, so none can forge one), then the policies,
     * before anything is looked up: a caller without a rule learns nothing about what exists.
     */
    private void authorize(String caller, String credential, String operation) {
        if (caller == null || !caller.matches(CALLER)) {
            throw PlinthException.invalid("a caller is an identity such as shell:USER, not '" + caller + "'");
        }
        if (credential == null || !credential.matches(NAME) || RESERVED.contains(credential)) {
            throw PlinthException.invalid("a credential name is letters, digits, '.', '_', '-' (up to 63; not "
                    + RESERVED + "), not '" + credential + "'");
        }
        if (operation == null || !operation.matches(OPERATION)) {
            throw PlinthException.invalid("an operation is lowercase letters, digits and '-', not '" + operation + "'");
        }
        if (!policies.allows(caller, credential, operation)) {
            AUDIT.warn("credential-use caller={} credential={} operation={} outcome=denied", caller, credential, operation);
            throw new PlinthException(Reason.DENIED, "no policy lets " + caller + " " + operation + " credential " + credential);
        }
    }

    private static Map<String, String> withoutNulls(Map<String, String> values, String what) {
        if (values == null) {
            return Map.of();
        }
        values.forEach((key, value) -> {
            if (key == null || value == null) {
                throw PlinthException.invalid("the " + what + " have a null: " + key + " = " + value);
            }
        });
        return Map.copyOf(values);
    }

    @Override
    public Map<String, List<String>> modules() {
        Map<String, List<String>> available = new TreeMap<>();
        modules.values().forEach(module -> available.put(module.name(), module.operations().stream().sorted().toList()));
        return available;
    }

    private CredentialModule module(String name) {
        CredentialModule module = name == null ? null : modules.get(name);
        if (module == null) {
            throw PlinthException.invalid("no credential module " + name + "; there are " + modules.keySet());
        }
        return module;
    }

    private SealedStore.Stored stored(String name) {
        SealedStore.Stored stored = name == null ? null : credentials.get(name);
        if (stored == null) {
            throw PlinthException.notFound("no credential " + name);
        }
        return stored;
    }

    private void save(Map<String, SealedStore.Stored> next) {
        store.write(new ArrayList<>(next.values()));
        credentials = Map.copyOf(next);
    }

    private static Credential view(SealedStore.Stored stored) {
        return new Credential(stored.name(), stored.module(), stored.shareable(), stored.sealed().keySet().stream().sorted().toList(),
                Instant.ofEpochMilli(stored.createdMillis()));
    }
}
