package dev.meshgate.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.ObjectMeta;
import dev.meshgate.core.resource.Resource;

class DestinationRuleMergeTest {

    @Test
    void aRuleExportedToASupersetIsMergedIntoTheOlderOne() {
        DestinationRuleMerge merge = new DestinationRuleMerge();
        Resource<DestinationRule> older = rule("a", List.of("shop"), "v1");
        Resource<DestinationRule> wider = rule("b", List.of("shop", "web"), "v2");

        merge.add(older, null);
        merge.add(wider, null);

        assertThat(merge.merged()).singleElement().satisfies(merged -> {
            assertThat(merged.from()).containsExactly(older, wider);
            assertThat(merged.exportTo()).containsExactly("shop");
            assertThat(merged.rule().spec().subsets()).extracting(Subset::name).containsExactly("v1", "v2");
        });
    }

    @Test
    void aRuleExportedToASubsetStaysApart() {
        DestinationRuleMerge merge = new DestinationRuleMerge();
        merge.add(rule("a", List.of("shop", "web"), "v1"), null);
        merge.add(rule("b", List.of("shop"), "v2"), null);
        merge.add(rule("c", List.of(), "v3"), null);

        assertThat(merge.merged()).extracting(m -> m.rule().metadata().name()).containsExactly("a", "b", "c");
    }

    @Test
    void whatTheMergeLeavesOutIsReported() {
        DestinationRuleMerge merge = new DestinationRuleMerge();
        List<DestinationRuleMerge.Ignored> ignored = new ArrayList<>();
        Resource<DestinationRule> older = rule("a", List.of(), "v1");
        Resource<DestinationRule> newer = rule("b", List.of(), "v1", "v2");

        merge.add(older, ignored::add);
        merge.add(newer, ignored::add);

        assertThat(ignored).containsExactly(new DestinationRuleMerge.Ignored(newer, older, List.of("v1"), false));
    }

    private static Resource<DestinationRule> rule(String name, List<String> exportTo, String... subsets) {
        List<Subset> list = new ArrayList<>();
        for (String subset : subsets) {
            list.add(new Subset(subset, Map.of("version", subset), null));
        }
        return new Resource<>(Kind.DestinationRule, "networking.istio.io/v1",
                new ObjectMeta(name, "bookinfo", Map.of(), Map.of()),
                new DestinationRule("reviews", null, list, exportTo, null), null);
    }
}
