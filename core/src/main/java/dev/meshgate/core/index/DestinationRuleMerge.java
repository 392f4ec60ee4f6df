package dev.meshgate.core.index;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.destinationrule.WorkloadMatchSelector;
import dev.meshgate.core.resource.Resource;

/**
 * Istio's merging of several DestinationRules for one host in one namespace ({@code mergeDestinationRule}, with
 * the enhanced merge Istio enables by default). Taken in {@link #ORDER} (rules with a {@code workloadSelector}
 * first, then oldest first, as pilot's {@code sortConfigBySelectorAndCreationTime}), each rule is compared with
 * every merged rule so far:
 *
 * <ul>
 *   <li>Another {@code exportTo} that is not a superset of a non-empty earlier one: not merged into it.
 *   <li>Both with a {@code workloadSelector}, the selectors differing: not merged into it.
 *   <li>Otherwise merged into it: its subsets are appended, except those whose name is already there (ignored,
 *       reported); its {@code trafficPolicy} applies only when the earlier one has none.
 * </ul>
 * The rule also stays a rule of its own unless, for the last merged rule compared, both have no selector or equal
 * selectors (a rule with a selector merged into one without, or the reverse, is kept as well; so is one with
 * another {@code exportTo}). A rule with a {@code workloadSelector} counts as exported to its namespace only
 * ({@link #exportTo}), whatever it says.
 */
public final class DestinationRuleMerge {

    /** Pilot's order for merging: rules with a workloadSelector first, then {@link CreationOrder#OLDEST_FIRST}. */
    public static final Comparator<Resource<?>> ORDER = Comparator
            .comparingInt((Resource<?> r) -> r.spec() instanceof DestinationRule dr
                    && dr.workloadSelector() != null ? 0 : 1)
            .thenComparing(CreationOrder.OLDEST_FIRST);

    private final List<Merged> merged = new ArrayList<>();

    /**
     * A rule as merged from one or more.
     *
     * @param rule the oldest rule's metadata with the merged spec
     * @param exportTo the oldest rule's {@code exportTo}, as a set
     * @param from the rules merged into it, oldest first
     */
    public record Merged(Resource<DestinationRule> rule, Set<String> exportTo, List<Resource<DestinationRule>> from) {
        public Merged {
            exportTo = Set.copyOf(exportTo);
            from = List.copyOf(from);
        }
    }

    /**
     * What merging {@code rule} into {@code into} left out.
     *
     * @param subsets names of {@code rule}'s subsets that {@code into} already had
     * @param trafficPolicy whether {@code rule}'s top-level traffic policy was dropped for {@code into}'s
     */
    public record Ignored(Resource<DestinationRule> rule, Resource<DestinationRule> into, List<String> subsets,
            boolean trafficPolicy) {
    }

    /**
     * The namespaces a rule is exported to, as pilot indexes it: a rule with a {@code workloadSelector} is never
     * exported beyond its namespace ({@code .}).
     */
    public static List<String> exportTo(DestinationRule rule) {
        return rule.workloadSelector() != null ? List.of(".") : rule.exportTo();
    }

    /** Adds the next rule (in {@link #ORDER}), reporting what the merge leaves out to {@code ignored}. */
    public void add(Resource<DestinationRule> rule, @Nullable Consumer<Ignored> ignored) {
        Set<String> exportTo = new HashSet<>(exportTo(rule.spec()));
        WorkloadMatchSelector selector = rule.spec().workloadSelector();
        boolean appendSeparately = true;
        for (int i = 0; i < merged.size(); i++) {
            Merged existing = merged.get(i);
            if (!exportTo.equals(existing.exportTo())
                    && (existing.exportTo().isEmpty() || !exportTo.containsAll(existing.exportTo()))) {
                appendSeparately = true;
                continue;
            }
            WorkloadMatchSelector other = existing.rule().spec().workloadSelector();
            if (selector != null && other != null && !selector.matchLabels().equals(other.matchLabels())) {
                appendSeparately = true;
                continue;
            }
            appendSeparately = (selector == null) != (other == null);
            merged.set(i, mergeInto(existing, rule, ignored));
        }
        if (appendSeparately) {
            merged.add(new Merged(rule, exportTo, List.of(rule)));
        }
    }

    /** The merged rules, in the order they were first added. */
    public List<Merged> merged() {
        return List.copyOf(merged);
    }

    private static Merged mergeInto(Merged existing, Resource<DestinationRule> rule,
            @Nullable Consumer<Ignored> ignored) {
        DestinationRule base = existing.rule().spec();
        Set<String> names = new HashSet<>();
        for (Subset subset : base.subsets()) {
            names.add(subset.name());
        }
        List<Subset> subsets = new ArrayList<>(base.subsets());
        List<String> duplicates = new ArrayList<>();
        for (Subset subset : rule.spec().subsets()) {
            if (names.add(subset.name())) {
                subsets.add(subset);
            } else {
                duplicates.add(subset.name());
            }
        }
        boolean policyDropped = base.trafficPolicy() != null && rule.spec().trafficPolicy() != null;
        DestinationRule spec = new DestinationRule(base.host(),
                base.trafficPolicy() != null ? base.trafficPolicy() : rule.spec().trafficPolicy(), subsets,
                base.exportTo(), base.workloadSelector());
        if (ignored != null && (!duplicates.isEmpty() || policyDropped)) {
            ignored.accept(new Ignored(rule, existing.from().get(0), duplicates, policyDropped));
        }
        List<Resource<DestinationRule>> from = new ArrayList<>(existing.from());
        from.add(rule);
        Resource<DestinationRule> first = existing.rule();
        return new Merged(new Resource<>(first.kind(), first.apiVersion(), first.metadata(), spec, first.source()),
                existing.exportTo(), from);
    }
}
