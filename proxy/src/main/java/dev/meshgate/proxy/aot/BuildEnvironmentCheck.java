package dev.meshgate.proxy.aot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import org.springframework.aot.AotDetector;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With Spring AOT on ({@code -Dspring.aot.enabled=true}), refuses to start a proxy whose properties differ from those
 * its conditions were decided from at build time ({@link BuildEnvironment}): such a run would silently keep the
 * build's beans (another management port shape, other endpoints exposed, another web application type). The
 * message names each property, the run's value and the build's; without the flag every setting is honoured. An
 * initializer rather than an environment post-processor: it sees the environment as the context gets it, after
 * every post-processor (meshgate's own defaults included).
 */
public final class BuildEnvironmentCheck implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        if (!AotDetector.useGeneratedArtifacts() || context.getParent() != null) {
            return;
        }
        ClassLoader loader = context.getClassLoader();
        BuildEnvironment built;
        try (InputStream in = loader.getResourceAsStream(BuildEnvironment.RESOURCE)) {
            if (in == null) {
                throw new InvalidConfigurationPropertyValueException("spring.aot.enabled", "true",
                        "this proxy was built without meshgate's record of the build's properties ("
                                + BuildEnvironment.RESOURCE + "); run it without -Dspring.aot.enabled=true");
            }
            built = BuildEnvironment.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        check(built, BuildEnvironment.of(context.getEnvironment()));
    }

    static void check(BuildEnvironment built, BuildEnvironment run) {
        List<String> differences = built.differences(run);
        if (!differences.isEmpty()) {
            String first = differences.get(0);
            throw new InvalidConfigurationPropertyValueException(first.substring(0, first.indexOf(':')),
                    first.substring(first.indexOf(':') + 2),
                    "Spring AOT (-Dspring.aot.enabled=true) decided this proxy's beans at build time from other "
                            + "values: " + String.join("; ", differences)
                            + ". Run it without -Dspring.aot.enabled=true, or build it with these values");
        }
    }
}
