package dev.meshgate.controlplane.admission;

import dev.meshgate.controlplane.ca.MeshCa;
import dev.meshgate.core.inject.SidecarInjector;
import dev.meshgate.core.inject.SidecarTemplate;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the webhooks' HTTPS listener when {@code meshgate.control-plane.webhook.enabled} is true. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookProperties.class)
class AdmissionConfiguration {

    @Bean
    @ConditionalOnProperty(name = "meshgate.control-plane.webhook.enabled", havingValue = "true")
    WebhookListener webhookListener(MeshCa ca, WebhookProperties properties) {
        SidecarTemplate template = new SidecarTemplate(properties.proxyImage(), properties.initImage(),
                properties.service() + "." + properties.namespace() + ".svc:" + properties.discoveryPort(),
                properties.revision());
        return new WebhookListener(ca, properties, new InjectionWebhook(new SidecarInjector(template))::review);
    }

    @Bean
    CaBundleController caBundleController(MeshCa ca) {
        return new CaBundleController(ca);
    }
}
