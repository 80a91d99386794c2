package io.plinth.impl.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** Base of the upgrade commands that act on one version of a route: [-r ROUTE] ID. */
abstract class VersionCommand extends UpgradeCommand {

    @Argument(index = 0, name = "id", required = true, description = "The version's id, as upgrade-start and route-show print it")
    @Completion(VersionIdCompleter.class)
    String versionId;
}
