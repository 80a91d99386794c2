package io.plinth.impl.cluster;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Reads the attributes of certificate subjects (DC, O, OU, UID), which the JDK only offers as one string. */
final class Subjects {

    private Subjects() {
    }

    /** The first value of an attribute of a subject, or null. */
    static String attribute(X500Principal subject, ASN1ObjectIdentifier type) {
        RDN[] rdns = X500Name.getInstance(subject.getEncoded()).getRDNs(type);
        return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }
}
