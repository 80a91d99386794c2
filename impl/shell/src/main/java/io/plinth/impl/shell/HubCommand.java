package io.plinth.impl.shell;

import io.plinth.api.hub.Hub;

/** Base of the commands that use the hub. */
abstract class HubCommand extends PlatformCommand<Hub> {

    HubCommand() {
        super(Hub.class);
    }
}
