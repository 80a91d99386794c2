package io.plinth.impl.shell;

import io.plinth.api.discovery.DiscoveryService;

/** Base of the commands that use the discovery service. */
abstract class DnsCommand extends PlatformCommand<DiscoveryService> {

    DnsCommand() {
        super(DiscoveryService.class);
    }
}
