package dev.meshgate.proxy.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.support.EnvironmentPostProcessorApplicationListener;
import org.springframework.boot.support.EnvironmentPostProcessorsFactory;
import org.springframework.context.ApplicationListener;

/**
 * A proxy's {@link SpringApplication}: Spring Boot's, without the environment post-processors of its dependencies
 * that a proxy has no use for and that its start would wait on. They come from {@code spring.factories} and no
 * property turns them off, so the listener that runs them is replaced by one that leaves them out.
 */
public final class LeanProxyApplication {

    /**
     * Spring Cloud Commons' {@code HostInfoEnvironmentPostProcessor}: it sets {@code spring.cloud.client.hostname}
     * and {@code ip-address} (for service registration, which a proxy does not do, and which nothing in meshgate
     * reads) by enumerating the network interfaces and looking up a host name, waiting up to
     * {@code spring.cloud.inetutils.timeout-seconds} (1 s) where the resolver does not answer.
     */
    static final Set<String> LEFT_OUT = Set.of("org.springframework.cloud.client.HostInfoEnvironmentPostProcessor");

    private LeanProxyApplication() {
    }

    /** Runs {@code source} as {@link SpringApplication#run(Class, String...)} would, without {@link #LEFT_OUT}. */
    public static void run(Class<?> source, String... args) {
        of(source).run(args);
    }

    /** A {@link SpringApplication} of {@code source} whose environment is prepared without {@link #LEFT_OUT}. */
    public static SpringApplication of(Class<?> source) {
        SpringApplication application = new SpringApplication(source);
        List<ApplicationListener<?>> listeners = new ArrayList<>();
        for (ApplicationListener<?> listener : application.getListeners()) {
            listeners.add(listener instanceof EnvironmentPostProcessorApplicationListener
                    ? EnvironmentPostProcessorApplicationListener.with(withoutLeftOut(application.getClassLoader()))
                    : listener);
        }
        application.setListeners(listeners);
        return application;
    }

    private static EnvironmentPostProcessorsFactory withoutLeftOut(ClassLoader classLoader) {
        EnvironmentPostProcessorsFactory all = EnvironmentPostProcessorsFactory.fromSpringFactories(classLoader);
        return (logFactory, bootstrapContext) -> {
            List<EnvironmentPostProcessor> kept = new ArrayList<>();
            for (EnvironmentPostProcessor processor : all.getEnvironmentPostProcessors(logFactory, bootstrapContext)) {
                if (!LEFT_OUT.contains(processor.getClass().getName())) {
                    kept.add(processor);
                }
            }
            return kept;
        };
    }
}
