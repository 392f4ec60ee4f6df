package dev.meshgate.proxy.discovery;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.meshgate.core.discovery.DiscoveryCodec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationListener;

/**
 * Prepares the discovery codec ({@link DiscoveryCodec#prepare()}) on a thread of its own as soon as a proxy starts,
 * the way Spring Boot's {@code BackgroundPreinitializer} warms what it will need: building the deserializers of a
 * view takes as long as ~10 % of a sidecar's start, and otherwise happens after the control plane answered, when
 * nothing else is left to do before the first request can be routed. Here it overlaps the context refresh.
 * Registered in {@code META-INF/spring.factories}; runs once per JVM.
 */
public final class DiscoveryCodecPreinitializer implements ApplicationListener<ApplicationStartingEvent> {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryCodecPreinitializer.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Completes (with the preparing thread's name) once the codec is prepared or preparing it failed. */
    private static final CompletableFuture<String> DONE = new CompletableFuture<>();
    static final String THREAD_NAME = "meshgate-codec-preinit";

    @Override
    public void onApplicationEvent(ApplicationStartingEvent event) {
        if (STARTED.compareAndSet(false, true)) {
            Thread thread = new Thread(DiscoveryCodecPreinitializer::prepare, THREAD_NAME);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** What the tests wait for: completes when the preparation started by the first event is over. */
    static CompletableFuture<String> done() {
        return DONE;
    }

    private static void prepare() {
        try {
            DiscoveryCodec.prepare();
        } catch (RuntimeException | LinkageError e) {
            // Only an optimization: the first decode then builds what is missing.
            log.debug("Preparing the discovery codec failed", e);
        } finally {
            DONE.complete(Thread.currentThread().getName());
        }
    }
}
