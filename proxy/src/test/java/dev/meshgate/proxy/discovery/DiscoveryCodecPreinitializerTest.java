package dev.meshgate.proxy.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.Push;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.io.support.SpringFactoriesLoader;

class DiscoveryCodecPreinitializerTest {

    @Test
    void everyProxyAppRunsItAsItStarts() {
        assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(ApplicationListener.class))
                .hasAtLeastOneElementOfType(DiscoveryCodecPreinitializer.class);
    }

    @Test
    void theStartingEventPreparesTheCodecOnAThreadOfItsOwnAndDecodingIsUnchanged() throws Exception {
        SpringApplication app = new SpringApplication(Object.class);
        new DiscoveryCodecPreinitializer().onApplicationEvent(
                new ApplicationStartingEvent(new DefaultBootstrapContext(), app, new String[0]));

        assertThat(DiscoveryCodecPreinitializer.done().get(60, TimeUnit.SECONDS))
                .isEqualTo(DiscoveryCodecPreinitializer.THREAD_NAME);
        Push push = new Push(TestViews.outbound("v1", "backend.default.svc.cluster.local", 8080));
        assertThat(DiscoveryCodec.decode(DiscoveryCodec.encode(push))).isEqualTo(push);
    }
}
