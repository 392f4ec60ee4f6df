package dev.meshgate.proxy.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.SmartApplicationListener;

/**
 * Runs {@link ClusterConnectionPool#prepareTls()} on a thread of its own while Spring prepares the environment and the
 * context (from {@link ApplicationStartingEvent}), and waits for it to finish at {@link ApplicationPreparedEvent},
 * before the context refresh creates the first bean. Every proxy prepares TLS at bean creation (its TLS transports'
 * constructors), where it was ~9 % of the main thread's start; the constructors still call it, now a no-op.
 *
 * <p>Why it cannot deadlock (a class initialization cycle between two threads): the preparing thread initializes
 * the JDK's and Netty's TLS and entropy classes and Reactor Netty's {@code HttpClient}/{@code HttpClientSecure}; up
 * to the prepared event the main thread initializes none of them (checked class by class with
 * {@code -Xlog:class+init=debug}: docs/performance.md, "TLS preparation before the refresh"), and from the prepared
 * event on it waits, outside any class initializer, until the preparation is over. So no class is wanted by both
 * threads while one of them is initializing it. A preparation that fails leaves the work to the constructors, as
 * before. Registered in {@code META-INF/spring.factories}; runs once per JVM.
 */
public final class TlsPreinitializer implements SmartApplicationListener {

    private static final Logger log = LoggerFactory.getLogger(TlsPreinitializer.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Completes (with the preparing thread's name) once TLS is prepared or preparing it failed. */
    private static final CompletableFuture<String> DONE = new CompletableFuture<>();
    static final String THREAD_NAME = "meshgate-tls-preinit";

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
        return ApplicationStartingEvent.class.isAssignableFrom(eventType)
                || ApplicationPreparedEvent.class.isAssignableFrom(eventType);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationStartingEvent) {
            if (STARTED.compareAndSet(false, true)) {
                Thread thread = new Thread(TlsPreinitializer::prepare, THREAD_NAME);
                thread.setDaemon(true);
                thread.start();
            }
        } else if (STARTED.get()) {
            // No bound: the main thread would otherwise do the same work itself, and be held where this thread is.
            DONE.join();
        }
    }

    /** What the tests wait for: completes when the preparation started by the first starting event is over. */
    static CompletableFuture<String> done() {
        return DONE;
    }

    private static void prepare() {
        try {
            ClusterConnectionPool.prepareTls();
        } catch (RuntimeException | LinkageError e) {
            // Only an optimization: the TLS transports' constructors prepare it again on the main thread.
            log.debug("Preparing TLS failed", e);
        } finally {
            DONE.complete(Thread.currentThread().getName());
        }
    }
}
