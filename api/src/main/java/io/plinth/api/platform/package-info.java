/**
 * Upgrading the platform itself: what a platform build would change on a node (install, update,
 * uninstall, refresh), and the upgrade of a node or, node by node, of a whole cluster, with health
 * checks and rollback.
 */
@Export
@Version("1.0.0")
package io.plinth.api.platform;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
