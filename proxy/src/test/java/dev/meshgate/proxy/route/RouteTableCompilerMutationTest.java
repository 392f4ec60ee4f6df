package dev.meshgate.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.meshgate.core.view.FixtureMutations;
import dev.meshgate.core.view.FixtureMutations.Mutant;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.cluster.ClusterSet;
import dev.meshgate.proxy.mirror.MirrorClient;

/**
 * Whatever validation accepts, the proxy applies: every variation of every core fixture
 * ({@link FixtureMutations}) whose resources validation accepts translates to views that
 * {@link RouteTableCompiler} compiles. A failure names the fixture, the variation and the proxy's reason; such a
 * resource must be rejected at validation (or the view check in core must refuse the view before it ships).
 */
class RouteTableCompilerMutationTest {

    static final Path FIXTURES = Path.of("../core/src/test/resources/fixtures");
    static final int MUTANTS_PER_FIXTURE = 25;

    static Stream<Path> inputs() {
        return FixtureMutations.inputs(FIXTURES).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void everyViewOfAcceptedResourcesCompiles(Path input) {
        List<String> refused = new ArrayList<>();
        for (Mutant mutant : FixtureMutations.mutants(input, MUTANTS_PER_FIXTURE)) {
            for (ProxyView view : FixtureMutations.acceptedViews(input, mutant.yaml())) {
                try {
                    RouteTableCompiler.compile(view, ClusterSet.EMPTY, MirrorClient.shared()).clusters().retireReplacedBy(ClusterSet.EMPTY);
                } catch (ViewRejectedException e) {
                    refused.add(mutant + " -> NACK: " + e.reason());
                }
            }
        }
        assertThat(refused).as("views validation accepts but the proxy refuses").isEmpty();
    }
}
