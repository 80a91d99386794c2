package io.plinth.impl.rest;

import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import io.plinth.api.error.PlinthException;
import io.plinth.api.pki.AgentCertificates;
import io.plinth.api.pki.AgentRequest;
import io.plinth.api.pki.CertificateRequest;
import io.plinth.api.pki.IssuedCertificate;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

/**
 * {@code /pki}: the cluster CA at work, on the node that holds it — agent certificates, and their
 * revocation published the standard ways: a CRL ({@code GET /pki/crl}, DER) and an OCSP responder
 * ({@code POST /pki/ocsp}, or GET with the base64 request in the path, RFC 6960).
 */
@Component(service = PkiResource.class)
@JaxrsResource
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@JaxrsExtensionSelect({PlinthApplication.JSON, PlinthApplication.AUTHENTICATION})
@Path("pki")
@Produces(MediaType.APPLICATION_JSON)
public final class PkiResource extends Resource {

    /** Body of {@code POST /pki/certificates}. */
    public record Issue(String csr, String subsystem, String agentId, String node, List<String> dnsNames, List<String> uris,
                        List<String> capabilities, Long validitySeconds) {
    }

    /** Body of {@code POST /pki/certificates/{serial}/revoke}. */
    public record Revoke(String reason) {
    }

    /** Body of {@code POST /pki/tokens}: the agent about to start on this node. */
    public record TokenFor(String subsystem, String agentId, List<String> dnsNames, List<String> uris, List<String> capabilities,
                           Long validitySeconds) {
    }

    /** Body of {@code POST /pki/tokens/redeem}: the token, and a PKCS #10 request for the agent's own key. */
    public record Redeem(String token, String csr) {
    }

    @Reference
    private Platform platform;

    @GET
    @Path("ca")
    @Produces("application/x-pem-file")
    public String ca() {
        return platform.certificates().caCertificatePem();
    }

    @GET
    @Path("certificates")
    public List<IssuedCertificate> issued() {
        return platform.certificates().issued();
    }

    @POST
    @Path("certificates")
    public Response issue(Issue body) {
        Issue issue = required(body);
        IssuedCertificate issued = platform.certificates().issue(new CertificateRequest(issue.csr(), issue.subsystem(), issue.agentId(),
                issue.node(), issue.dnsNames(), issue.uris(), issue.capabilities(),
                issue.validitySeconds() == null ? null : Duration.ofSeconds(issue.validitySeconds())));
        return Response.status(Response.Status.CREATED).entity(issued).build();
    }

    @GET
    @Path("certificates/{serial}")
    public IssuedCertificate certificate(@PathParam("serial") String serial) {
        return platform.certificates().certificate(serial);
    }

    @POST
    @Path("certificates/{serial}/revoke")
    public IssuedCertificate revoke(@PathParam("serial") String serial, Revoke body) {
        return platform.certificates().revoke(serial, body == null ? null : body.reason());
    }

    /**
     * A one-time token for an agent its caller is about to start on this node, to hand it privately
     * (stdin, a pipe): an admin may ask for any; an agent for the sub-systems its certificate's
     * capabilities list.
     */
    @POST
    @Path("tokens")
    public Response token(@Context SecurityContext caller, TokenFor body) {
        TokenFor agent = required(body);
        AgentRequest request = new AgentRequest(agent.subsystem(), agent.agentId(), agent.dnsNames(), agent.uris(),
                agent.capabilities(), agent.validitySeconds() == null ? null : Duration.ofSeconds(agent.validitySeconds()));
        String token = caller.getUserPrincipal() instanceof Authentication.Agent spawner
                ? platform.agents().issueToken(request, spawner.certificate()) : platform.agents().issueToken(request);
        return Response.status(Response.Status.CREATED).entity(java.util.Map.of("token", token,
                "expiresInSeconds", AgentCertificates.TOKEN_VALIDITY.toSeconds())).build();
    }

    /** The agent's side: no login, the token is its credential, once. */
    @POST
    @Path("tokens/redeem")
    public Response redeem(Redeem body) {
        Redeem redeem = required(body);
        return Response.status(Response.Status.CREATED).entity(platform.agents().redeem(redeem.token(), redeem.csr())).build();
    }

    @GET
    @Path("crl")
    @Produces("application/pkix-crl")
    public byte[] crl() {
        return platform.certificates().crl();
    }

    @POST
    @Path("ocsp")
    @Consumes("application/ocsp-request")
    @Produces("application/ocsp-response")
    public byte[] ocsp(byte[] request) {
        return platform.certificates().ocsp(request == null ? new byte[0] : request);
    }

    @GET
    @Path("ocsp/{request: .+}")
    @Produces("application/ocsp-response")
    public byte[] ocspByGet(@PathParam("request") String request) {
        try {
            return platform.certificates().ocsp(Base64.getDecoder().decode(request));
        } catch (IllegalArgumentException e) {
            throw PlinthException.invalid("an OCSP GET carries the request in base64: " + e.getMessage());
        }
    }
}
