package dev.meshgate.core.validation;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;

/**
 * Warns when several DestinationRules (without workloadSelector) name the same host: only one of them
 * applies, which is rarely what was meant.
 */
final class DuplicateDestinationRuleAnalyzer implements Analyzer {

    @Override
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        Map<String, Resource<?>> first = new LinkedHashMap<>();
        resources.stream().filter(r -> r.kind() == Kind.DestinationRule)
                .sorted(Comparator.comparing(Resource::key))
                .forEach(rule -> {
                    DestinationRule spec = (DestinationRule) rule.spec();
                    if (spec.host() == null || spec.workloadSelector() != null) {
                        return;
                    }
                    String host = Analyzer.resolve(spec.host(), rule.metadata().namespace());
                    Resource<?> earlier = first.putIfAbsent(host, rule);
                    if (earlier != null) {
                        report.accept(DiagnosticCode.DUPLICATE_DESTINATION_RULE.diagnostic(rule.kind().name(),
                                rule.key(), "spec.host", "host \"" + host + "\" also has DestinationRule "
                                        + earlier.key() + "; only one applies",
                                rule.source()));
                    }
                });
    }
}
