/** The discovery service: DNS answers for hub groups, instances and nodes, and records agents publish. */
@Export
@Version("1.0.0")
package io.plinth.api.discovery;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
