package io.plinth.itests;

import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.when;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import io.plinth.api.component.ComponentController;
import io.plinth.api.component.ComponentKind;
import io.plinth.api.component.ComponentType;
import io.plinth.api.component.Instance;
import io.plinth.api.component.InstanceSpec;
import io.plinth.api.hub.Hub;

import org.apache.karaf.features.FeaturesService;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.extra.VMOption;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Boots the freshly built Plinth distribution in Pax Exam, with test ports off the defaults, and
 * gives tests the platform services plus the example components' repository.
 */
public abstract class PlinthTestSupport {

    static final String VERSION = System.getProperty("plinth.version");
    static final String EXAMPLES = "mvn:io.plinth/plinth-features/" + VERSION + "/xml/examples";
    static final String ECHO_1 = "mvn:io.plinth.examples/echo/1.0.0";
    static final String ECHO_2 = "mvn:io.plinth.examples/echo/2.0.0";
    static final int HTTP_PORT = 18181;
    static final int HTTPS_PORT = 18443;
    /** An admin the tests provision themselves (the node then creates no admin of its own), and its password's SHA-512. */
    static final String ADMIN = "itest";
    static final String ADMIN_PASSWORD = "itest-password";
    private static final String ADMIN_PASSWORD_SHA512 =
            "cd662aa8e77e9d436c6e92b277cf90a7a6bedfa445952be3eaa4c2520517ed468cf44dcba5361e3a66b4eb0be62d5fd7cebcf0077e412683ee37e57d029ef6b7";

    /**
     * A REST client of this node, logged in as the tests' admin. Pax Exam also makes the test class
     * outside the container, where there is no karaf.data: that instance never sends a request.
     */
    static Http http() {
        return new Http(HTTPS_PORT, java.nio.file.Path.of(System.getProperty("karaf.data", "target")), () -> ADMIN + ":" + ADMIN_PASSWORD);
    }

    @Inject
    protected BundleContext bundleContext;
    @Inject
    protected Hub hub;
    @Inject
    protected ComponentController controller;
    @Inject
    protected FeaturesService features;

    @Configuration
    public Option[] config() {
        String karafVersion = System.getProperty("karaf.version");
        File unpack = new File("target/exam");
        return options(
                karafDistributionConfiguration()
                        .frameworkUrl(new File(System.getProperty("plinth.distribution")).toURI().toString())
                        .unpackDirectory(unpack).useDeployFolder(false).name("Plinth"),
                configureConsole().ignoreLocalConsole(),
                // -Dplinth.keep=true keeps the node's directory (logs, data) under target/exam for a post-mortem.
                when(Boolean.getBoolean("plinth.keep")).useOptions(keepRuntimeFolder()),
                logLevel(LogLevel.INFO),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(HTTP_PORT)),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port.secure", String.valueOf(HTTPS_PORT)),
                editConfigurationFilePut("etc/users.properties", ADMIN, "{CRYPT}" + ADMIN_PASSWORD_SHA512 + "{CRYPT},admin"),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", "18101"),
                editConfigurationFilePut("etc/io.plinth.gateway.cfg", "port", "18080"),
                editConfigurationFilePut("etc/io.plinth.gateway.cfg", "adminPort", "19090"),
                systemProperty("plinth.impl").value(new File(System.getProperty("plinth.impl", "../impl")).getAbsolutePath()),
                systemProperty("plinth.version").value(VERSION),
                systemProperty("plinth.benchmarks").value(new File(System.getProperty("plinth.benchmarks", "target/benchmarks.txt")).getAbsolutePath()),
                // The JDK module flags Karaf's bin/karaf sets and Pax Exam does not read.
                new VMOption("-Djdk.util.zip.disableZip64ExtraFieldValidation=true"),
                new VMOption("-Xmx512m"),
                new VMOption("--add-reads=java.xml=java.logging"),
                new VMOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
                new VMOption("--patch-module"),
                new VMOption("java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar"),
                new VMOption("--patch-module"),
                new VMOption("java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar"),
                new VMOption("--add-opens"), new VMOption("java.base/java.security=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.base/java.net=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.base/java.lang=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.base/java.util=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.naming/javax.naming.spi=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.base/sun.nio.ch=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED"),
                new VMOption("--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED"),
                new VMOption("--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"),
                new VMOption("-classpath"),
                new VMOption("lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*" + File.pathSeparator + "lib/endorsed/*"));
    }

    /** The service of {@code type} registered now (not the one injected, which a live update may have retired). */
    protected <S> S current(Class<S> type) {
        return bundleContext.getService(bundleContext.getServiceReference(type));
    }

    /** The platform bundle {@code io.plinth.NAME}. */
    protected Bundle bundle(String name) {
        return List.of(bundleContext.getBundles()).stream().filter(b -> ("io.plinth." + name).equals(b.getSymbolicName()))
                .findFirst().orElseThrow(() -> new AssertionError("no bundle io.plinth." + name));
    }

    /** Adds the example components' feature repository, as a developer would. */
    protected void addExamples() throws Exception {
        features.addRepository(URI.create(EXAMPLES));
    }

    protected ComponentType echoType(String version) {
        String artifact = version.startsWith("1") ? ECHO_1 : ECHO_2;
        return new ComponentType("echo", version, ComponentKind.BUNDLE, artifact, "", Map.of());
    }

    protected List<Instance> createEcho(String version, int count, List<String> groups, Map<String, String> configuration) {
        return controller.create(new InstanceSpec("echo", version, count, configuration, groups, Duration.ofSeconds(30)));
    }
}
