/**
 * The platform's certificate authority at work (seed 000 §4.9): certificates for agents with the
 * seed's subject scheme, short-lived by default, and their revocation (CRL and OCSP).
 * Every node's management TLS identity ({@link io.plinth.api.pki.ManagementTls}), and its
 * certificate manager, which certifies the agents it spawns through one-time tokens
 * ({@link io.plinth.api.pki.AgentCertificates}).
 */
@Export
@Version("1.1.0")
package io.plinth.api.pki;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
