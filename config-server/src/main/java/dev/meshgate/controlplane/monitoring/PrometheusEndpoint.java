package dev.meshgate.controlplane.monitoring;

import java.util.regex.Pattern;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The control plane's metrics in Prometheus's text format 0.0.4, at istiod's path {@code /metrics} and at
 * {@code /actuator/prometheus}. Always the plain text format, whatever the scraper accepts: it carries no
 * exemplars, which Prometheus 2.42 (Debian's) refuses in a scrape. Counters that istiod exports without
 * {@code _total} ({@link ControlPlaneMetrics#ISTIO_COUNTERS}) get their istiod name back.
 */
@RestController
public class PrometheusEndpoint {

    /** Prometheus's classic text exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern ISTIO_COUNTER_TOTAL = Pattern.compile(
            "^(# (?:HELP|TYPE) )?(" + String.join("|", ControlPlaneMetrics.ISTIO_COUNTERS.stream().sorted().toList())
                    + ")_total(?=[ {])",
            Pattern.MULTILINE);

    private final PrometheusMeterRegistry registry;

    public PrometheusEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @GetMapping({"/metrics", "/actuator/prometheus"})
    public ResponseEntity<String> scrape() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(CONTENT_TYPE))
                .body(istioNames(registry.scrape(CONTENT_TYPE)));
    }

    /** Drops the {@code _total} Micrometer appends to the counters istiod names without it. */
    static String istioNames(String exposition) {
        return ISTIO_COUNTER_TOTAL.matcher(exposition).replaceAll("$1$2");
    }
}
