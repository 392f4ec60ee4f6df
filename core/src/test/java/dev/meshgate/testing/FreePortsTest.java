package dev.meshgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Scanner;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FreePortsTest {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    @Test
    void portsAreDrawnBelowTheEphemeralRangeAndNeverTwice() throws IOException {
        assumeTrue(Files.isReadable(RANGE), "not Linux: the operating system picks the ports");
        int ephemeralStart;
        try (Scanner scanner = new Scanner(RANGE)) {
            ephemeralStart = scanner.nextInt();
        }
        assumeTrue(ephemeralStart > 21_000, "the ephemeral range starts too low to draw below it");

        assertThat(FreePorts.ephemeralStart()).isEqualTo(ephemeralStart);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(20_000, ephemeralStart - 1);
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }
}
