package dev.meshgate.bench.scenario;

import java.nio.file.Path;
import java.time.Duration;

import dev.meshgate.bench.BenchSettings;
import dev.meshgate.bench.load.GrpcGenerator;
import dev.meshgate.bench.load.OpenLoopGenerator;
import dev.meshgate.bench.load.Saturation;
import dev.meshgate.bench.load.Wrk;
import dev.meshgate.bench.tools.Nginx;

/**
 * The two loads a scenario is measured under, in its protocol: open loop at a fixed rate (latency) and closed loop
 * (saturation throughput). HTTP and TCP paths get {@link OpenLoopGenerator} and wrk with the settings'
 * connections (for {@link Scenario.Protocol#TCP_CHURN}, one request per connection); gRPC paths grpc-java's {@link GrpcGenerator} with as many calls in flight over a few channels.
 */
interface Load extends AutoCloseable {

    OpenLoopGenerator.Result openLoop(int rate, Duration duration) throws InterruptedException;

    /** The closed-loop run, or null when its tool is missing (wrk). */
    Saturation saturate(Duration duration) throws InterruptedException;

    /** Whether {@link #saturate} measures (false without wrk). */
    boolean saturates();

    @Override
    void close() throws InterruptedException;

    static Load of(Scenario.Protocol protocol, Target target, BenchSettings settings, Path wrk) {
        int connections = settings.connections();
        if (protocol == Scenario.Protocol.GRPC) {
            GrpcGenerator generator = new GrpcGenerator(target.port(), target.host(), connections);
            return new Load() {
                @Override
                public OpenLoopGenerator.Result openLoop(int rate, Duration duration) throws InterruptedException {
                    return generator.run(rate, duration);
                }

                @Override
                public Saturation saturate(Duration duration) throws InterruptedException {
                    return generator.saturate(duration);
                }

                @Override
                public boolean saturates() {
                    return true;
                }

                @Override
                public void close() throws InterruptedException {
                    generator.close();
                }
            };
        }
        boolean churn = protocol == Scenario.Protocol.TCP_CHURN;
        OpenLoopGenerator generator = new OpenLoopGenerator(target.port(), target.host(), Nginx.PAYLOAD_PATH,
                connections, churn);
        return new Load() {
            @Override
            public OpenLoopGenerator.Result openLoop(int rate, Duration duration) throws InterruptedException {
                return generator.run(rate, duration);
            }

            @Override
            public Saturation saturate(Duration duration) {
                return wrk == null ? null
                        : Wrk.run(wrk, target.port(), target.host(), Nginx.PAYLOAD_PATH, connections, duration, churn);
            }

            @Override
            public boolean saturates() {
                return wrk != null;
            }

            @Override
            public void close() {
            }
        };
    }
}
