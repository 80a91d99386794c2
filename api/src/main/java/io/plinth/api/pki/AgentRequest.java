package io.plinth.api.pki;

import java.time.Duration;
import java.util.List;

/**
 * The agent a spawner is about to start on this node, as its certificate will name it: {@code
 * DC=<cluster>, O=<subsystem>, OU=<this node>, UID=<agentId>}.
 *
 * @param subsystem    the sub-system the agent belongs to (O), such as {@code component}
 * @param agentId      the agent's id (UID), such as an instance id
 * @param dnsNames     DNS names it answers at (subject alternative names)
 * @param uris         URIs naming it (subject alternative names)
 * @param capabilities the sub-systems it may spawn or request certificates for
 * @param validity     how long its certificate lasts; null for {@link CertificateAuthority#DEFAULT_VALIDITY}
 */
public record AgentRequest(String subsystem, String agentId, List<String> dnsNames, List<String> uris, List<String> capabilities,
                           Duration validity) {

    public AgentRequest {
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
        uris = uris == null ? List.of() : List.copyOf(uris);
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    }
}
