package io.plinth.impl.rest;

import javax.ws.rs.core.Application;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationBase;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsName;

/** The JAX-RS application every Plinth resource and extension belongs to: {@code /plinth/api/v1}. */
/*
 * plinth.rest.parts: the JAX-RS resources and extensions of this bundle. The management bundle holds
 * requests while fewer are served (during a live update of this bundle); RestIT checks the number.
 */
@Component(service = Application.class, property = "plinth.rest.parts:Integer=17")
@JaxrsApplicationBase("plinth/api/v1")
@JaxrsName(PlinthApplication.NAME)
public final class PlinthApplication extends Application {

    static final String NAME = "plinth";
    /** Service filter selecting this application. */
    static final String SELECT = "(osgi.jaxrs.name=" + NAME + ")";
    /** Service filter selecting the JSON provider; resources wait for it. */
    static final String JSON = "(osgi.jaxrs.name=" + JsonProvider.NAME + ")";
    /** Service filter selecting the authentication filter: no resource is served without it, so the API never runs open. */
    static final String AUTHENTICATION = "(osgi.jaxrs.name=" + Authentication.NAME + ")";
}
