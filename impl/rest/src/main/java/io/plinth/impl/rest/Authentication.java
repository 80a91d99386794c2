package io.plinth.impl.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.SecurityContext;

import io.plinth.api.pki.ManagementTls;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtension;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who calls: every request but the CA's public revocation data carries an identity. A client
 * certificate (checked again at each request: a connection can outlive its certificate or see it
 * revoked) is the agent {@code O/UID} it names; otherwise HTTP Basic credentials of the Karaf JAAS
 * realm, for a user with the {@code admin} role, are {@code user:NAME}. Anything else is 401
 * (403 for a refused certificate or a user who is no admin). Agents read and use the credentials
 * service (whose policies decide further); every other change needs an admin. Resources read the
 * identity from the {@link SecurityContext}.
 */
@Component(service = ContainerRequestFilter.class)
@JaxrsExtension
@JaxrsName(Authentication.NAME)
@JaxrsApplicationSelect(PlinthApplication.SELECT)
@PreMatching
public final class Authentication implements ContainerRequestFilter {

    static final String NAME = "plinth.authentication";

    private static final Logger LOG = LoggerFactory.getLogger(Authentication.class);
    /** Where the servlet container puts the client's verified chain (CXF shows request attributes as properties). */
    private static final String CLIENT_CHAIN = "javax.servlet.request.X509Certificate";
    private static final String REALM = "karaf";
    private static final String ADMIN_ROLE = "admin";
    private static final String ROLE_PRINCIPAL = "org.apache.karaf.jaas.boot.principal.RolePrincipal";
    /**
     * What a CRL or OCSP client fetches without credentials (RFC 5280 and 6960 clients have none),
     * and where a new agent redeems its one-time token (the token is its credential).
     */
    private static final Set<String> PUBLIC = Set.of("pki/ca", "pki/crl", "pki/ocsp", "pki/tokens/redeem");
    /** What an agent (a client certificate) may do besides the credentials service and spawning (where its capabilities say): read. */
    private static final Set<String> AGENT_METHODS = Set.of("GET", "HEAD");
    private static final String AGENT_WRITES = "credentials";
    private static final String AGENT_SPAWNS = "pki/tokens";
    /** A successful login is remembered this long, so that a busy client does not cost a JAAS login per request. */
    private static final long REMEMBER_NANOS = 30_000_000_000L;
    private static final int REMEMBERED_AT_MOST = 1_000;

    /** A login remembered by the hash of its Authorization header (never the password itself). */
    private record Login(String identity, long until) {
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ManagementTls tls;
    private final Map<String, Login> logins = new ConcurrentHashMap<>();

    @Override
    public void filter(ContainerRequestContext request) {
        String forged = forgery(request);
        if (forged != null) {
            request.abortWith(new ErrorBody(403, "FORBIDDEN", forged).toResponse());
            return;
        }
        String path = request.getUriInfo().getPath();
        if (PUBLIC.contains(path) || path.startsWith("pki/ocsp/")) {
            return;
        }
        boolean secure = request.getSecurityContext().isSecure();
        if (request.getProperty(CLIENT_CHAIN) instanceof X509Certificate[] chain && chain.length > 0) {
            ManagementTls node = tls;
            try {
                if (node == null) {
                    throw new CertificateException("this node's management identity is not up");
                }
                String agent = node.identity(chain);
                if (!AGENT_METHODS.contains(request.getMethod()) && !path.startsWith(AGENT_WRITES) && !path.equals(AGENT_SPAWNS)) {
                    request.abortWith(new ErrorBody(403, "FORBIDDEN", "agent " + agent
                            + " may read and use credentials (as the policies allow); other changes need an admin").toResponse());
                    return;
                }
                request.setSecurityContext(new Caller(new Agent(agent, chain[0]), secure, SecurityContext.CLIENT_CERT_AUTH));
            } catch (CertificateException e) {
                request.abortWith(new ErrorBody(403, "FORBIDDEN", "client certificate refused: " + e.getMessage()).toResponse());
            }
            return;
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            request.abortWith(javax.ws.rs.core.Response.fromResponse(new ErrorBody(401, "UNAUTHENTICATED",
                    "present a client certificate of this cluster, or an admin's user name and password (HTTP Basic)").toResponse())
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"plinth\"").build());
            return;
        }
        String key = sha256(authorization);
        Login remembered = logins.get(key);
        if (remembered != null && remembered.until() - System.nanoTime() > 0) {
            request.setSecurityContext(new Caller(() -> remembered.identity(), secure, SecurityContext.BASIC_AUTH));
            return;
        }
        String identity = login(authorization.substring(6).trim(), request);
        if (identity != null) {
            if (logins.size() >= REMEMBERED_AT_MOST) {
                logins.clear();
            }
            logins.put(key, new Login(identity, System.nanoTime() + REMEMBER_NANOS));
            request.setSecurityContext(new Caller(() -> identity, secure, SecurityContext.BASIC_AUTH));
        }
    }

    /**
     * Why a request must not be served though its credentials are good, or null. A browser sends
     * a saved password or client certificate with any request a page of another site makes, and
     * the JSON provider reads any content type, so changes from another origin are refused (a
     * browser says where a request comes from; curl and programs send neither header); and so is
     * CXF's method override ({@code _method}, {@code X-HTTP-Method-Override}), which would turn a
     * harmless-looking GET into a DELETE.
     */
    private static String forgery(ContainerRequestContext request) {
        if (request.getUriInfo().getQueryParameters().containsKey("_method") || request.getUriInfo().getQueryParameters().containsKey("_ctype")
                || request.getHeaderString("X-HTTP-Method-Override") != null) {
            return "method and content-type overrides are not accepted";
        }
        if (AGENT_METHODS.contains(request.getMethod())) {
            return null;
        }
        String site = request.getHeaderString("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "a change from another site (Sec-Fetch-Site: " + site + ") is refused";
        }
        String origin = request.getHeaderString("Origin");
        String host = request.getHeaderString(HttpHeaders.HOST);
        if (origin != null && (host == null || !origin.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "").equalsIgnoreCase(host))) {
            return "a change from another origin (" + origin + ") is refused";
        }
        return null;
    }

    /** The JAAS login of Basic credentials: the identity, or null when the request was refused. */
    private String login(String credentials, ContainerRequestContext request) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            request.abortWith(new ErrorBody(401, "UNAUTHENTICATED", "the Basic credentials are not base64").toResponse());
            return null;
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        char[] password = colon < 0 ? new char[0] : decoded.substring(colon + 1).toCharArray();
        Subject subject = new Subject();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(null); // JAAS then loads Karaf's login module from the boot class path
        try {
            new LoginContext(REALM, subject, callbacks -> {
                for (Callback callback : callbacks) {
                    if (callback instanceof NameCallback name) {
                        name.setName(user);
                    } else if (callback instanceof PasswordCallback secret) {
                        secret.setPassword(password);
                    }
                }
            }).login();
        } catch (LoginException e) {
            LOG.debug("REST login refused for user '{}': {}", user.replaceAll("[^A-Za-z0-9._@-]", "?"), e.getMessage());
            request.abortWith(new ErrorBody(401, "UNAUTHENTICATED", "wrong user name or password").toResponse());
            return null;
        } finally {
            thread.setContextClassLoader(previous);
            java.util.Arrays.fill(password, '\0');
        }
        boolean admin = subject.getPrincipals().stream()
                .anyMatch(p -> p.getClass().getName().equals(ROLE_PRINCIPAL) && p.getName().equals(ADMIN_ROLE));
        if (!admin) {
            request.abortWith(new ErrorBody(403, "FORBIDDEN", "user '" + user + "' does not have the admin role").toResponse());
            return null;
        }
        return "user:" + user;
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An agent calling with its certificate: its identity {@code O/UID}, and the certificate, for what depends on its extensions. */
    record Agent(String identity, X509Certificate certificate) implements Principal {
        @Override
        public String getName() {
            return identity;
        }
    }

    /** The caller's identity as resources see it. */
    private record Caller(Principal principal, boolean secure, String scheme) implements SecurityContext {
        @Override
        public Principal getUserPrincipal() {
            return principal;
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getAuthenticationScheme() {
            return scheme;
        }

        @Override
        public boolean isUserInRole(String role) {
            return false;
        }
    }
}
