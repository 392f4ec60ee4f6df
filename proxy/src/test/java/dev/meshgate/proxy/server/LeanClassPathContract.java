package dev.meshgate.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.quic.Quic;

import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.springframework.util.ClassUtils;

/**
 * What a proxy application (the sidecar, the gateway) leaves out of its class path (docs/performance.md, "Fewer
 * classes"): each was loaded into every proxy and used by none. Extended by each application's footprint test, whose
 * module's dependencies are what is checked.
 */
public abstract class LeanClassPathContract {

    @Test
    void reactorNettysHttp3ProbeFindsNoQuicNativeLibrary() {
        // HttpClientSecure's static initializer asks this; with the library present it was extracted and loaded.
        assertThat(Quic.isAvailable()).isFalse();
    }

    @Test
    void springsLoggingGoesToSlf4jWithoutTheLog4jApi() {
        // With the Log4j API present, commons-logging's discovery loaded it only to find it bridged to SLF4J.
        assertThat(ClassUtils.isPresent("org.apache.logging.log4j.LogManager", null)).isFalse();
        assertThat(LogFactory.getLog(getClass()).getClass().getName()).contains("Slf4j");
    }
}
