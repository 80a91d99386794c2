package io.plinth.impl.rest;

import java.time.Duration;

import io.plinth.api.component.ComponentController;
import io.plinth.api.cluster.ClusterService;
import io.plinth.api.credentials.CredentialService;
import io.plinth.api.discovery.DiscoveryService;
import io.plinth.api.gateway.GatewayService;
import io.plinth.api.hub.Hub;
import io.plinth.api.pki.AgentCertificates;
import io.plinth.api.pki.CertificateAuthority;
import io.plinth.api.platform.PlatformUpgrades;
import io.plinth.support.ServiceProxy;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The platform services as the resources see them: proxies that wait while a service is being
 * replaced, so a request during a live update is delayed, never failed.
 */
@Component(service = Platform.class)
public final class Platform {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Duration PKI_PATIENCE = Duration.ofSeconds(2);

    private ServiceProxy<Hub> hub;
    private ServiceProxy<ComponentController> controller;
    private ServiceProxy<GatewayService> gateway;
    private ServiceProxy<ClusterService> cluster;
    private ServiceProxy<DiscoveryService> discovery;
    private ServiceProxy<CredentialService> credentials;
    private ServiceProxy<CertificateAuthority> certificates;
    private ServiceProxy<AgentCertificates> agents;
    private ServiceProxy<PlatformUpgrades> upgrades;

    @Activate
    void activate(BundleContext context) {
        hub = new ServiceProxy<>(context, Hub.class, PATIENCE);
        controller = new ServiceProxy<>(context, ComponentController.class, PATIENCE);
        gateway = new ServiceProxy<>(context, GatewayService.class, PATIENCE);
        cluster = new ServiceProxy<>(context, ClusterService.class, PATIENCE);
        discovery = new ServiceProxy<>(context, DiscoveryService.class, PATIENCE);
        credentials = new ServiceProxy<>(context, CredentialService.class, PATIENCE);
        certificates = new ServiceProxy<>(context, CertificateAuthority.class, PKI_PATIENCE);
        agents = new ServiceProxy<>(context, AgentCertificates.class, PATIENCE);
        upgrades = new ServiceProxy<>(context, PlatformUpgrades.class, PATIENCE);
    }

    @Deactivate
    void deactivate() {
        hub.close();
        controller.close();
        gateway.close();
        cluster.close();
        discovery.close();
        credentials.close();
        certificates.close();
        agents.close();
        upgrades.close();
    }

    Hub hub() {
        return hub.get();
    }

    ComponentController controller() {
        return controller.get();
    }

    GatewayService gateway() {
        return gateway.get();
    }

    ClusterService cluster() {
        return cluster.get();
    }

    DiscoveryService discovery() {
        return discovery.get();
    }

    CredentialService credentials() {
        return credentials.get();
    }

    /** This node's certificate manager: tokens for the agents it spawns. */
    AgentCertificates agents() {
        return agents.get();
    }

    PlatformUpgrades upgrades() {
        return upgrades.get();
    }

    /** The CA at work: only on the node that holds the cluster CA, so another node answers 503 soon. */
    CertificateAuthority certificates() {
        return certificates.get();
    }
}
