/** The HTTP gateway: routes, the versions of a backend behind each, and their upgrade (seed 003). */
@Export
@Version("1.0.0")
package io.plinth.api.gateway;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
