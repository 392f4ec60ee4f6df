package dev.meshgate.bench.micro;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of this module with short iterations (one fork, 3 warm-up and 5 measured iterations of
 * one second): enough for an order of magnitude on a shared machine. For careful figures run JMH directly:
 * {@code java -jar bench/target/meshgate-bench.jar jmh} passes its arguments to JMH's own command line.
 */
public final class Microbenchmarks {

    /** One benchmark's score. */
    public record Score(String benchmark, double score, double error, String unit) {
    }

    private Microbenchmarks() {
    }

    public static List<Score> runShort() throws RunnerException {
        Options options = new OptionsBuilder()
                .include(RouteLookupBenchmark.class.getName())
                .include(TranslationBenchmark.class.getName())
                .include(TlsBenchmark.class.getName())
                // OpenSSL only in a build with -Popenssl (bench/pom.xml)
                .param("provider", "JDK")
                .forks(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xmx1g")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        List<Score> scores = new ArrayList<>();
        for (RunResult result : results) {
            var primary = result.getPrimaryResult();
            String name = result.getParams().getBenchmark();
            scores.add(new Score(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
                    primary.getScore(), primary.getScoreError(), primary.getScoreUnit()));
        }
        return scores;
    }
}
