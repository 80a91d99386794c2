/** The cluster: its certificate authority, one-time join tokens, and this node's membership. */
@Export
@Version("1.2.0")
package io.plinth.api.cluster;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
