package io.plinth.impl.shell;

import io.plinth.api.gateway.GatewayService;

/** Base of the commands that use the gateway. */
abstract class GatewayCommand extends PlatformCommand<GatewayService> {

    GatewayCommand() {
        super(GatewayService.class);
    }
}
