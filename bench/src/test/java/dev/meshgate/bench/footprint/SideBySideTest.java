package dev.meshgate.bench.footprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** A variant's flags replace the same flags of jvm/meshgate-sidecar.options, so that the JVM starts at all. */
class SideBySideTest {

    private static final List<String> FILE = List.of("-XX:+UseSerialGC", "-Xmx64m", "-Xss512k",
            "-XX:ReservedCodeCacheSize=48m", "-Dreactor.netty.ioWorkerCount=2", "--enable-native-access=ALL-UNNAMED");

    @Test
    void anotherCollectorReplacesTheFilesAndSizesReplaceTheirPrefix() {
        assertThat(SideBySide.merge(FILE, List.of("-XX:+UseG1GC", "-Xmx48m", "-Dreactor.netty.ioWorkerCount=1")))
                .containsExactly("-Xss512k", "-XX:ReservedCodeCacheSize=48m", "--enable-native-access=ALL-UNNAMED",
                        "-XX:+UseG1GC", "-Xmx48m", "-Dreactor.netty.ioWorkerCount=1");
    }

    @Test
    void newFlagsAreAddedAndABangRemovesOne() {
        assertThat(SideBySide.merge(FILE, List.of("!-Xss512k", "-XX:NativeMemoryTracking=summary", "-Xms8m")))
                .containsExactly("-XX:+UseSerialGC", "-Xmx64m", "-XX:ReservedCodeCacheSize=48m",
                        "-Dreactor.netty.ioWorkerCount=2", "--enable-native-access=ALL-UNNAMED",
                        "-XX:NativeMemoryTracking=summary", "-Xms8m");
    }
}
