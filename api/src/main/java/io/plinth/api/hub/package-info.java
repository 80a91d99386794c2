/** The component hub: groups, selectors, call/cast, attributes and unique names (seed §4.7.2). */
@Export
@Version("1.0.0")
package io.plinth.api.hub;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
