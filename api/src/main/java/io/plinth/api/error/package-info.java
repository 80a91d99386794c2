/** Errors shared by every Plinth service: {@link io.plinth.api.error.PlinthException} and its {@link io.plinth.api.error.Reason}. */
@Export
@Version("1.1.0")
package io.plinth.api.error;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
