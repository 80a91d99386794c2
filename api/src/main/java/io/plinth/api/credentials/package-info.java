/**
 * The credentials service (seed 000 §4.8, after Plan 9's factotum): it keeps credentials and runs
 * operations with them — signatures, tokens — for callers that never see their secrets; modules
 * provide the operations and get only a handle that computes with a secret.
 */
@Export
@Version("1.0.0")
package io.plinth.api.credentials;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
