package io.plinth.api.pki;

import java.time.Duration;
import java.util.List;

/**
 * What an agent asks to be certified as (seed §4.9.6): its subject is {@code DC=<cluster>,
 * O=<subsystem>, OU=<node>, UID=<agentId>}.
 *
 * @param csrPem       a PKCS #10 request (PEM), signed with the key to certify: proof the agent holds it
 * @param subsystem    the sub-system the agent belongs to (O), such as {@code gateway} or {@code component}
 * @param agentId      the agent's id (UID), such as an instance id
 * @param node         the node it runs on (OU)
 * @param dnsNames     DNS names it answers at (subject alternative names)
 * @param uris         URIs it answers at (subject alternative names)
 * @param capabilities the sub-systems it may spawn or request certificates for (a Plinth extension)
 * @param validity     how long the certificate lasts; null for {@link CertificateAuthority#DEFAULT_VALIDITY}
 */
public record CertificateRequest(String csrPem, String subsystem, String agentId, String node, List<String> dnsNames,
                                 List<String> uris, List<String> capabilities, Duration validity) {

    public CertificateRequest {
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
        uris = uris == null ? List.of() : List.copyOf(uris);
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    }
}
