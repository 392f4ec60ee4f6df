package dev.meshgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WrkTest {

    private static final String OUTPUT = """
            Running 10s test @ http://127.0.0.1:8080/1k
              1 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.16ms  300.00us   9.00ms   90.00%
                Req/Sec    26.70k     1.00k   28.00k    70.00%
              266012 requests in 10.00s, 300.00MB read
              Socket errors: connect 0, read 2, write 1, timeout 4
              Non-2xx or 3xx responses: 5
            Requests/sec:  26601.20
            Transfer/sec:     30.00MB

            STAT 4242 (sh) S 1 4242 4242 0 -1 4194560 100 200 0 0 0 0 731 212 20 0 1 0 1000 2000 300
            """;

    @Test
    void readsThroughputRequestsErrorsAndTheCpuOfTheExitedTool() {
        Saturation result = Wrk.parse(OUTPUT);

        assertThat(result.requestsPerSecond()).isEqualTo(26601.20);
        assertThat(result.requests()).isEqualTo(266012);
        assertThat(result.errors()).isEqualTo(5 + 2 + 1 + 4);
        // cutime 731 + cstime 212 ticks of the shell's waited-for children
        assertThat(result.cpuSeconds()).isCloseTo(9.43, within(1e-9));
    }
}
