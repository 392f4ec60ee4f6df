package dev.meshgate.proxy.listener;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;

/** Supplies the {@link ListenerServerFactory} the proxies open their extra listeners with. */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class ListenerAutoConfiguration {

    @Bean
    ListenerServerFactory listenerServerFactory(ObjectProvider<HttpHandler> httpHandler,
            ObjectProvider<ReactorResourceFactory> resources,
            ObjectProvider<WebServerFactoryCustomizer<?>> customizers) {
        return new ListenerServerFactory(httpHandler, resources.getIfAvailable(),
                customizers.orderedStream().toList());
    }
}
