package io.plinth.impl.shell;

import io.plinth.api.pki.CertificateAuthority;

/** Base of the commands that use the cluster CA (on the node that holds it). */
abstract class CertificateCommand extends PlatformCommand<CertificateAuthority> {

    CertificateCommand() {
        super(CertificateAuthority.class);
    }
}
