package dev.meshgate.proxy.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Default Spring settings of every meshgate proxy (sidecar, gateway, the proxy tests' app): turns off the parts of
 * Spring Boot and Spring Cloud Gateway that cost time on every request or at startup and that a mesh proxy does
 * not use. Added as the lowest-precedence property source, so an application's own {@code application.yaml} or a
 * command-line argument still overrides any of them (note that {@code spring.autoconfigure.exclude} set there
 * replaces this list rather than adding to it).
 *
 * <p>Why each one is off is in docs/performance.md; in short: WebFlux's per-request server observation (timer and
 * tags for every request: meshgate's Istio metrics are its own), Logback metrics (a turbo filter consulted on every
 * log-level check), Spring Cloud Gateway's weight web filter (meshgate splits traffic in its own route filter),
 * the gRPC header filters (each copies the headers of every request or response; meshgate speaks HTTP/1.1 to its
 * upstreams), and auto-configurations whose beans nothing in a proxy uses (Spring Cloud's refresh scope and
 * discovery, bean validation, JVM and system meter binders, REST clients, AOP proxies).
 */
public final class LeanProxyDefaults implements EnvironmentPostProcessor {

    /** The name of the property source, as listed by {@code /actuator/env} if that were exposed. */
    public static final String PROPERTY_SOURCE = "meshgateLeanProxyDefaults";

    /** Auto-configurations a proxy does without. */
    static final List<String> EXCLUDED_AUTO_CONFIGURATIONS = List.of(
            // Per request: an observation (with a timer and its tags) around every request.
            "org.springframework.boot.webflux.autoconfigure.WebFluxObservationAutoConfiguration",
            // Per log-level check: a turbo filter that counts log events.
            "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration",
            // Startup and background work only; nothing in a proxy reads these meters or uses these beans.
            "org.springframework.boot.micrometer.metrics.autoconfigure.jvm.JvmMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.system.SystemMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.task.TaskExecutorMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.startup.StartupTimeMetricsListenerAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.ssl.SslMetricsAutoConfiguration",
            "org.springframework.boot.http.client.autoconfigure.metrics.HttpClientMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.observation.autoconfigure.ScheduledTasksObservationAutoConfiguration",
            "org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration",
            "org.springframework.boot.restclient.autoconfigure.RestClientObservationAutoConfiguration",
            "org.springframework.boot.restclient.autoconfigure.RestTemplateObservationAutoConfiguration",
            "org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration",
            "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration",
            "org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration",
            "org.springframework.boot.autoconfigure.aop.AopAutoConfiguration",
            "org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration",
            // The application task executor (for @Async and blocking controller methods; a proxy has neither).
            "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration",
            // Session id resolution for WebFlux sessions; no proxy handler uses a WebSession.
            "org.springframework.boot.webflux.autoconfigure.WebSessionIdResolverAutoConfiguration",
            "org.springframework.boot.webflux.autoconfigure.ReactiveMultipartAutoConfiguration",
            // Health groups' additional paths on the main server's port, which in a proxy is a mesh listener that
            // serves no actuator path (health is on the admin port and 15021). Its one bean discovered every
            // actuator endpoint before the listeners bound; the admin port's context does that after them.
            "org.springframework.boot.webflux.autoconfigure.actuate.endpoint.web.WebFluxHealthEndpointExtensionAutoConfiguration",
            "org.springframework.cloud.autoconfigure.RefreshAutoConfiguration",
            "org.springframework.cloud.autoconfigure.RefreshEndpointAutoConfiguration",
            "org.springframework.cloud.autoconfigure.LifecycleMvcEndpointAutoConfiguration",
            "org.springframework.cloud.autoconfigure.WritableEnvironmentEndpointAutoConfiguration",
            // Spring Cloud's re-binding of properties on environment changes (refresh is off), its "features"
            // endpoint and discovery health (no discovery client), and InetUtils (host address lookup for service
            // registration, which a proxy does not do).
            "org.springframework.cloud.autoconfigure.ConfigurationPropertiesRebinderAutoConfiguration",
            "org.springframework.cloud.client.CommonsClientAutoConfiguration",
            "org.springframework.cloud.commons.util.UtilAutoConfiguration",
            "org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration",
            "org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration",
            "org.springframework.cloud.client.discovery.composite.reactive.ReactiveCompositeDiscoveryClientAutoConfiguration",
            "org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration",
            "org.springframework.cloud.configuration.CompatibilityVerifierAutoConfiguration",
            "org.springframework.cloud.gateway.config.GatewayClassPathWarningAutoConfiguration",
            "org.springframework.cloud.gateway.config.GatewayMetricsAutoConfiguration",
            "org.springframework.cloud.gateway.discovery.GatewayDiscoveryClientAutoConfiguration");

    static final Map<String, Object> DEFAULTS = defaults();

    private static Map<String, Object> defaults() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("spring.autoconfigure.exclude", String.join(",", EXCLUDED_AUTO_CONFIGURATIONS));
        defaults.put("spring.main.banner-mode", "off");
        defaults.put("spring.jmx.enabled", "false");
        defaults.put("spring.cloud.discovery.enabled", "false");
        defaults.put("spring.cloud.refresh.enabled", "false");
        defaults.put("spring.cloud.compatibility-verifier.enabled", "false");
        // A web filter on every request that computes weights for Spring Cloud Gateway's Weight predicate.
        defaults.put("spring.cloud.gateway.server.webflux.predicate.weight.enabled", "false");
        // Spring Cloud Gateway's own observation and metrics of every routed request.
        defaults.put("spring.cloud.gateway.server.webflux.observability.enabled", "false");
        defaults.put("spring.cloud.gateway.server.webflux.metrics.enabled", "false");
        // Refreshes routes on discovery heartbeats; meshgate swaps its routes when a view is applied.
        defaults.put("spring.cloud.gateway.server.webflux.route-refresh-listener.enabled", "false");
        // Spring Cloud Gateway registers its gRPC header filters unless HTTP/2 is off (off is the server's default).
        defaults.put("server.http2.enabled", "false");
        // Spring Cloud Gateway's JSON-to-gRPC filter (and its gRPC TLS bean, which needs unshaded grpc-netty once
        // any grpc-java is on the class path); meshgate relays gRPC as HTTP/2 itself.
        defaults.put("spring.cloud.gateway.server.webflux.filter.json-to-grpc.enabled", "false");
        return Map.copyOf(defaults);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, DEFAULTS));
    }
}
