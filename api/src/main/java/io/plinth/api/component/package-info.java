/** Component types, instances and their life-cycle; the Java component harness (seed §4.7.3, §4.5.3, §4.6.2). */
@Export
@Version("1.3.0")
package io.plinth.api.component;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
