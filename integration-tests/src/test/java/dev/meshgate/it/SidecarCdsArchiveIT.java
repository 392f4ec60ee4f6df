package dev.meshgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.meshgate.it.harness.Repository;

/**
 * The sidecar's class-data-sharing archive is trained with a view (sidecar/pom.xml, jvm/CdsTraining.java: the
 * training program pushes one and routes requests through the sidecar), so the classes that applying a view and
 * routing a request load come from the archive at every start rather than from the jars (docs/performance.md,
 * "Start-up"). Read from the archive's own class list, as the JVM prints it for the class path the launchers use.
 */
class SidecarCdsArchiveIT {

    @Test
    void theSidecarsArchiveHoldsWhatApplyingAViewAndRoutingARequestLoad() throws IOException, InterruptedException {
        List<String> arguments = Repository.javaArguments(Repository.sidecarJar());
        String archive = arguments.stream().filter(a -> a.startsWith("-XX:SharedArchiveFile=")).findFirst().orElse(null);
        assumeTrue(archive != null, "the sidecar was built without its archive (-Dmeshgate.cds.skip=true)");
        String jar = arguments.get(arguments.size() - 1);
        Process print = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), archive,
                "-XX:+PrintSharedArchiveAndExit", "-cp", jar).redirectErrorStream(true).start();
        String classes = new String(print.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(print.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(classes).as("the archive's class list").contains("dev.meshgate.proxy.discovery.DiscoveryClient ");
        // a view checked and compiled into a route table (a match on a header and a URI prefix), a request balanced
        // over a cluster's endpoints, a TCP listener's route, a span encoded for Zipkin: none of these is loaded
        // before the first view (main's archive, trained without one, had none of them)
        assertThat(classes).contains(
                "dev.meshgate.core.view.ProxyViewCheck ",
                "dev.meshgate.proxy.route.RouteTableCompiler ",
                "dev.meshgate.proxy.predicate.HttpMatchPredicate ",
                "dev.meshgate.proxy.loadbalancer.LeastRequestLoadBalancer ",
                "dev.meshgate.proxy.tcp.TcpRouteSelector ",
                "brave.handler.MutableSpanBytesEncoder ");
    }
}
