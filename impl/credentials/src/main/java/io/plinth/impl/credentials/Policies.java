package io.plinth.impl.credentials;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.plinth.api.error.PlinthException;

/**
 * Who may run which operation with which credential: rules {@code CALLER CREDENTIAL OPERATION},
 * comma-separated, each part a pattern where {@code *} stands for any run of characters ({@code shell:* * *}: every
 * shell user, everything; {@code O=gateway/UID=* aws-prod sign-request}). No rule, no use.
 */
final class Policies {

    private record Rule(Pattern caller, Pattern credential, Pattern operation) {
        boolean allows(String who, String what, String how) {
            return caller.matcher(who).matches() && credential.matcher(what).matches() && operation.matcher(how).matches();
        }
    }

    private final List<Rule> rules;

    Policies(String rules) {
        List<Rule> parsed = new ArrayList<>();
        for (String line : rules.split(",")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 3) {
                throw PlinthException.invalid("a policy is 'CALLER CREDENTIAL OPERATION', not '" + line + "'");
            }
            parsed.add(new Rule(glob(parts[0]), glob(parts[1]), glob(parts[2])));
        }
        this.rules = List.copyOf(parsed);
    }

    boolean allows(String caller, String credential, String operation) {
        return rules.stream().anyMatch(rule -> rule.allows(caller, credential, operation));
    }

    private static Pattern glob(String text) {
        return Pattern.compile(String.join(".*", java.util.Arrays.stream(text.split("\\*", -1)).map(Pattern::quote).toList()));
    }
}
