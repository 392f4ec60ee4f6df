package dev.meshgate.proxy.aot;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The settings Spring AOT fixes at build time: Spring Boot's and Spring Cloud's own conditions (which
 * auto-configurations, endpoints, health indicators, filters a proxy has) read {@code spring.*},
 * {@code management.*} and {@code server.*} properties, and the management port's type (separate, same as the
 * server's, disabled) decides whether there is an admin child context at all. meshgate's own switches are not
 * conditions ({@code BuildTimeConditions}); these are recorded from the build's environment and compared with a
 * run's. Ports and addresses are left out: they are read when the servers start, not by conditions.
 *
 * @param managementPortType {@link ManagementPortType#get}
 * @param properties every {@code spring.*}, {@code management.*}, {@code server.*} property but the run-time ones,
 *     by canonical name
 */
record BuildEnvironment(String managementPortType, Map<String, String> properties) {

    /** The resource {@code process-aot} writes beside the generated code. */
    static final String RESOURCE = "META-INF/meshgate/aot-build-environment.properties";

    private static final String PORT_TYPE_KEY = "meshgate.aot.management-port-type";
    /** Where a sidecar's and a gateway's management port come from. */
    private static final String PORT_TYPE_PROPERTY = "meshgate.proxy.admin-port";
    private static final List<String> FIXED_PREFIXES = List.of("spring.", "management.", "server.");
    /**
     * Read by the servers and Spring's lifecycle when they run, never by a condition; facts of the process, jar and
     * host (Boot's pid and version, Spring Cloud's host name and address); or AOT's own switches.
     */
    private static final Set<String> RUN_TIME = Set.of("server.port", "server.address", "management.server.port",
            "management.server.address", "spring.application.pid", "spring.application.version");
    private static final List<String> RUN_TIME_PREFIXES = List.of("spring.aot.", "spring.lifecycle.",
            "spring.context.exit", "spring.cloud.client.");

    BuildEnvironment {
        properties = Map.copyOf(properties);
    }

    /** What {@code environment} would make Spring's conditions decide. */
    static BuildEnvironment of(Environment environment) {
        Map<String, String> properties = new TreeMap<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource iterable) {
                iterable.stream().map(ConfigurationPropertyName::toString).filter(BuildEnvironment::fixedAtBuild)
                        .forEach(name -> {
                            String value = environment.getProperty(name);
                            if (value != null) {
                                properties.put(name, value);
                            }
                        });
            }
        }
        return new BuildEnvironment(ManagementPortType.get(environment).name(), properties);
    }

    private static boolean fixedAtBuild(String name) {
        return FIXED_PREFIXES.stream().anyMatch(name::startsWith) && !RUN_TIME.contains(name)
                && RUN_TIME_PREFIXES.stream().noneMatch(name::startsWith);
    }

    /**
     * How {@code run} differs from this build: one line per property, naming it, the run's value and the build's.
     */
    List<String> differences(BuildEnvironment run) {
        List<String> differences = new ArrayList<>();
        if (!managementPortType.equals(run.managementPortType)) {
            differences.add(PORT_TYPE_PROPERTY + ": " + run.managementPortType + " where the build has "
                    + managementPortType + " (DIFFERENT: an admin port of its own; SAME: the outbound port; "
                    + "DISABLED: -1)");
        }
        Set<String> names = new TreeSet<>(properties.keySet());
        names.addAll(run.properties.keySet());
        for (String name : names) {
            String built = properties.get(name);
            String running = run.properties.get(name);
            if (!Objects.equals(built, running)) {
                differences.add(name + ": " + shown(running) + " where the build has " + shown(built));
            }
        }
        return differences;
    }

    private static String shown(@Nullable String value) {
        return value == null ? "no value" : "'" + value + "'";
    }

    String toPropertiesText() {
        Properties stored = new Properties();
        stored.putAll(properties);
        stored.put(PORT_TYPE_KEY, managementPortType);
        StringWriter text = new StringWriter();
        try {
            stored.store(text, "What Spring AOT decided the proxy's conditions from (meshgate BuildEnvironment)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    static BuildEnvironment read(InputStream in) throws IOException {
        Properties stored = new Properties();
        stored.load(in);
        Map<String, String> properties = new TreeMap<>();
        stored.stringPropertyNames().forEach(name -> properties.put(name, stored.getProperty(name)));
        String portType = properties.remove(PORT_TYPE_KEY);
        return new BuildEnvironment(portType == null ? "" : portType, properties);
    }
}
