package dev.meshgate.proxy.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.meshgate.core.inject.SidecarInjector;
import dev.meshgate.core.inject.SidecarTemplate;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The injected {@code istio-proxy} container's arguments, expanded as the kubelet expands {@code $(VAR)} from the
 * downward API, bind to the identity the pod has: the injection template and the proxy's properties agree.
 */
class InjectedSidecarArgsTest {

    @Test
    void theInjectedArgumentsGiveTheProxyThePodsIdentityAndLabels() {
        ObjectNode pod = (ObjectNode) YAMLMapper.builder().build().readTree("""
                metadata:
                  labels: {app: reviews, version: v2, app.kubernetes.io/part-of: bookinfo}
                spec:
                  serviceAccountName: bookinfo-reviews
                  containers: [{name: reviews, image: reviews, ports: [{containerPort: 9080}]}]
                """);
        new SidecarInjector(SidecarTemplate.defaults()).inject(pod, "Pod", "shop/reviews-v2-abc", "reviews-v2");
        JsonNode proxy = pod.at("/spec/initContainers/1");

        Map<String, String> downward = new HashMap<>();
        for (JsonNode env : proxy.path("env")) {
            String field = env.at("/valueFrom/fieldRef/fieldPath").asString();
            Matcher label = Pattern.compile("metadata\\.labels\\['(.+)']").matcher(field);
            String value = switch (field) {
                case "metadata.name" -> "reviews-v2-abc";
                case "metadata.namespace" -> "shop";
                case "spec.serviceAccountName" -> pod.at("/spec/serviceAccountName").asString();
                case "status.podIP" -> "10.0.0.7";
                default -> label.matches() ? pod.at("/metadata/labels").path(label.group(1)).asString() : null;
            };
            downward.put(env.path("name").asString(), value);
        }
        List<String> args = new ArrayList<>();
        for (JsonNode arg : proxy.path("args")) {
            Matcher variable = Pattern.compile("\\$\\((\\w+)\\)").matcher(arg.asString());
            args.add(variable.replaceAll(m -> Matcher.quoteReplacement(downward.get(m.group(1)))));
        }
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args.toArray(String[]::new)));
        ProxyProperties properties = new Binder(ConfigurationPropertySources.get(environment))
                .bindOrCreate("meshgate.proxy", ProxyProperties.class);

        ProxyIdentity identity = properties.identity(ProxyKind.SIDECAR, Map.of());
        assertThat(identity.name()).isEqualTo("reviews-v2-abc");
        assertThat(identity.namespace()).isEqualTo("shop");
        assertThat(identity.serviceAccount()).isEqualTo("bookinfo-reviews");
        assertThat(identity.labels()).containsEntry("app", "reviews").containsEntry("version", "v2")
                .containsEntry("app.kubernetes.io/part-of", "bookinfo")
                .containsEntry("security.istio.io/tlsMode", "istio")
                .containsEntry("service.istio.io/canonical-name", "reviews");
        assertThat(properties.discoveryAddress()).isEqualTo("istiod.istio-system.svc:15012");
        dev.meshgate.proxy.security.SecurityProperties security = new Binder(ConfigurationPropertySources.get(
                environment)).bindOrCreate("meshgate.proxy", dev.meshgate.proxy.security.SecurityProperties.class);
        assertThat(security.credentials()).hasToString(SidecarInjector.CREDENTIALS_PATH);
        assertThat(security.trustDomainOrDefault()).isEqualTo("cluster.local");
        assertThat(properties.adminPort()).isEqualTo(SidecarInjector.ADMIN_PORT);
        dev.meshgate.proxy.admin.ProbePortsProperties probes = new Binder(ConfigurationPropertySources.get(
                environment)).bindOrCreate("meshgate.proxy.probe-ports",
                        dev.meshgate.proxy.admin.ProbePortsProperties.class);
        assertThat(probes.health()).isEqualTo(SidecarInjector.HEALTH_PORT);
        assertThat(probes.stats()).isEqualTo(SidecarInjector.STATS_PORT);
        assertThat(probes.address()).isEqualTo("0.0.0.0");
    }
}
