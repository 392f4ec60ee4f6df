package dev.meshgate.proxy.server;

import java.util.List;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;

/**
 * Removes Spring Cloud Gateway's default header filters that meshgate's own replace, before they are created.
 * Each of them copies the headers of every request (the hop-by-hop one also of every response), one after the
 * other; {@link dev.meshgate.proxy.filter.UpstreamRequestHeadersFilter} does their request-side work in one pass
 * and at most one copy, and {@link dev.meshgate.proxy.filter.ResponseHopByHopHeadersFilter} the response side.
 * Spring Cloud Gateway offers no property to turn them off (the forwarded-header removers are registered whenever
 * no trusted proxies are configured).
 */
final class ReplacedHeadersFilters implements BeanDefinitionRegistryPostProcessor {

    /** Spring Cloud Gateway's bean names (its {@code GatewayAutoConfiguration} method names). */
    static final List<String> BEAN_NAMES = List.of("removeHopByHopHeadersFilter", "removeForwardedHeadersFilter",
            "removeXForwardedHeadersFilter", "transferEncodingNormalizationHeadersFilter");

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        for (String name : BEAN_NAMES) {
            if (registry.containsBeanDefinition(name)) {
                registry.removeBeanDefinition(name);
            }
        }
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
    }
}
