package dev.meshgate.core.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.meshgate.core.view.FixtureMutations.Mutant;

/**
 * Whatever validation accepts passes the view check: every variation of every fixture ({@link FixtureMutations})
 * whose resources validation accepts translates to views in which {@link ProxyViewCheck} finds no problem. The
 * proxy module holds the same variations to its compiler ({@code RouteTableCompilerMutationTest}).
 */
class ProxyViewCheckMutationTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    static final int MUTANTS_PER_FIXTURE = 25;

    static Stream<Path> inputs() {
        return FixtureMutations.inputs(FIXTURES).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void everyViewOfAcceptedResourcesPassesTheCheck(Path input) {
        List<String> refused = new ArrayList<>();
        for (Mutant mutant : FixtureMutations.mutants(input, MUTANTS_PER_FIXTURE)) {
            for (ProxyView view : FixtureMutations.acceptedViews(input, mutant.yaml())) {
                ProxyViewCheck.check(view).forEach(problem -> refused.add(mutant + " -> " + problem.format()));
            }
        }
        assertThat(refused).as("views validation accepts but the view check refuses").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void theFixturesThemselvesPassTheCheck(Path input) throws Exception {
        for (ProxyView view : FixtureMutations.acceptedViews(input, java.nio.file.Files.readString(input))) {
            assertThat(ProxyViewCheck.check(view)).isEmpty();
        }
    }
}
