package io.plinth.impl.shell;

import io.plinth.api.pki.CertificateAuthority;
import io.plinth.api.pki.IssuedCertificate;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "plinth", name = "cert-list", description = "Lists the agent certificates the cluster CA issued that have not expired")
public class CertListCommand extends CertificateCommand {

    @Override
    protected void run(CertificateAuthority certificates) {
        ShellTable table = Tables.table("No certificates.", "Serial", "Subject", "Expires", "Revoked");
        for (IssuedCertificate certificate : certificates.issued()) {
            table.addRow().addContent(certificate.serial(), certificate.subject(), certificate.notAfter(),
                    certificate.revoked() ? certificate.revokedAt() + " (" + certificate.revocationReason() + ")" : "");
        }
        Tables.print(table);
    }
}
