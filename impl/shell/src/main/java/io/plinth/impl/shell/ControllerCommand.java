package io.plinth.impl.shell;

import io.plinth.api.component.ComponentController;

/** Base of the commands that use the component controller. */
abstract class ControllerCommand extends PlatformCommand<ComponentController> {

    ControllerCommand() {
        super(ComponentController.class);
    }
}
