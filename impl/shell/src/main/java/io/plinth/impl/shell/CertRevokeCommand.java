package io.plinth.impl.shell;

import io.plinth.api.pki.CertificateAuthority;
import io.plinth.api.pki.IssuedCertificate;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "plinth", name = "cert-revoke", description = "Revokes a certificate: the CRL and the OCSP responder say so at once")
public class CertRevokeCommand extends CertificateCommand {

    @Option(name = "-r", aliases = "--reason", description = "keyCompromise, superseded, cessationOfOperation, affiliationChanged,"
            + " privilegeWithdrawn or unspecified (default)")
    String reason;

    @Argument(index = 0, name = "serial", required = true, description = "The certificate's serial number, hexadecimal")
    String serial;

    @Override
    protected void run(CertificateAuthority certificates) {
        IssuedCertificate revoked = certificates.revoke(serial, reason);
        System.out.println("Revoked " + revoked.serial() + " (" + revoked.subject() + "): " + revoked.revocationReason());
    }
}
