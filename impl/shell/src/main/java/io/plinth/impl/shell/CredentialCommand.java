package io.plinth.impl.shell;

import io.plinth.api.credentials.CredentialService;

import org.apache.karaf.shell.support.ShellUtil;

/** Base of the commands that use the credentials service. */
abstract class CredentialCommand extends PlatformCommand<CredentialService> {

    CredentialCommand() {
        super(CredentialService.class);
    }

    /** Who runs the command, as the credentials policies name callers. */
    static String caller() {
        String user = ShellUtil.getCurrentUserName();
        return "shell:" + (user == null ? "console" : user);
    }
}
