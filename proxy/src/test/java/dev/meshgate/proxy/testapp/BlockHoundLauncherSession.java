package dev.meshgate.proxy.testapp;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once for the whole test JVM, before any test runs. Installing it later, from a test class,
 * re-instruments JDK classes while Reactor's scheduler threads are parked inside them (a test without BlockHound
 * may have started them): a parked {@code ScheduledThreadPoolExecutor} worker then dies with an
 * IllegalMonitorStateException and every {@code Mono.delay} (retry back-off, fault delay) hangs. Whether that
 * happened depended on the order the test classes ran in.
 */
public final class BlockHoundLauncherSession implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        // The sidecar's and gateway's tests see this class through the proxy's test classes but have no BlockHound.
        try {
            Class.forName("reactor.blockhound.integration.BlockHoundIntegration", false,
                    BlockHoundLauncherSession.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return;
        }
        BlockHound.install();
    }
}
