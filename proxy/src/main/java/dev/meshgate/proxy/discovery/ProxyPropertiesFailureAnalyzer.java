package dev.meshgate.proxy.discovery;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Says in one line which {@code meshgate.*} property is missing or wrong when a proxy cannot start, rather than
 * Boot's generic binding report (which would win otherwise).
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class ProxyPropertiesFailureAnalyzer
        extends AbstractFailureAnalyzer<InvalidConfigurationPropertyValueException> {

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationPropertyValueException cause) {
        if (!cause.getName().startsWith("meshgate.")) {
            return null;
        }
        return new FailureAnalysis(cause.getName() + " " + cause.getReason(),
                "Set " + cause.getName() + " (a --" + cause.getName() + "=... argument, or an environment variable)",
                cause);
    }
}
