package dev.meshgate.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.io.support.SpringFactoriesLoader;

class TlsPreinitializerTest {

    @Test
    void everyProxyAppRunsItAsItStarts() {
        assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(ApplicationListener.class))
                .hasAtLeastOneElementOfType(TlsPreinitializer.class);
    }

    @Test
    void tlsIsPreparedOnAThreadOfItsOwnAndThePreparedEventWaitsForIt() {
        SpringApplication app = new SpringApplication(Object.class);
        TlsPreinitializer listener = new TlsPreinitializer();
        assertThat(listener.supportsEventType(ApplicationStartingEvent.class)).isTrue();
        assertThat(listener.supportsEventType(ApplicationPreparedEvent.class)).isTrue();

        listener.onApplicationEvent(new ApplicationStartingEvent(new DefaultBootstrapContext(), app, new String[0]));
        try (GenericApplicationContext context = new GenericApplicationContext()) {
            listener.onApplicationEvent(new ApplicationPreparedEvent(app, new String[0], context));
        }

        // Done when the prepared event returned, and by the preparing thread, not this one.
        assertThat(TlsPreinitializer.done()).isCompletedWithValue(TlsPreinitializer.THREAD_NAME);
    }
}
