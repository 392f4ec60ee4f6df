package dev.meshgate.core.validation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.gateway.Gateway;
import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;
import dev.meshgate.core.networking.sidecar.Sidecar;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.telemetry.Telemetry;

import org.jspecify.annotations.Nullable;

/** Validates a whole set of resources: each on its own, then the cross-resource analyzers. */
public final class MeshValidator {

    /**
     * The one order of diagnostics: file-level problems first, then by kind, namespace/name, field (indexes
     * compared as numbers, so {@code http[2]} before {@code http[10]}), code, message and source.
     */
    public static final Comparator<Diagnostic> ORDER = Comparator
            .comparing(Diagnostic::kind, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .thenComparing(Diagnostic::resource, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .thenComparing(Diagnostic::field, Comparator.nullsFirst(MeshValidator::compareNatural))
            .thenComparing(Diagnostic::code)
            .thenComparing(Diagnostic::message)
            .thenComparing(Diagnostic::source, Comparator.nullsFirst(MeshValidator::compareNatural));

    private static final List<Analyzer> ANALYZERS = List.of(new SubsetReferenceAnalyzer(),
            new GatewayReferenceAnalyzer(), new DuplicateDestinationRuleAnalyzer(),
            new ConflictingVirtualServiceHostAnalyzer(), new DuplicateServiceEntryHostAnalyzer(),
            new DestinationHostAnalyzer(), new SubsetRegistryAnalyzer());

    private MeshValidator() {
    }

    /**
     * @return the resources with no ERROR (those with warnings are kept), and every diagnostic found, in a
     *     stable order (by kind, namespace/name, field)
     */
    public static ValidationResult validate(List<Resource<?>> resources) {
        return validate(resources, new Memo());
    }

    /**
     * As {@link #validate(List)}, taking from {@code memo} the problems of each resource it saw in the last
     * validation (by identity) rather than validating it again; the analyzers always run over all of them.
     */
    private static ValidationResult validate(List<Resource<?>> resources, Memo memo) {
        List<Resource<?>> accepted = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        Map<String, Resource<?>> seen = new HashMap<>();
        for (Resource<?> resource : resources) {
            Resource<?> earlier = seen.putIfAbsent(resource.kind() + " " + resource.key(), resource);
            if (earlier != null) {
                diagnostics.add(DiagnosticCode.DUPLICATE_RESOURCE.diagnostic(resource.kind().name(), resource.key(),
                        null, "defined twice (first at " + earlier.source() + "); the first one is used",
                        resource.source()));
                continue;
            }
            Problems problems = memo.problems(resource);
            diagnostics.addAll(problems.diagnostics());
            if (!problems.hasErrors()) {
                accepted.add(resource);
            }
        }
        memo.forgetUnseen();
        for (Analyzer analyzer : ANALYZERS) {
            analyzer.analyze(accepted, diagnostics::add);
        }
        diagnostics.sort(ORDER);
        return new ValidationResult(accepted, diagnostics);
    }

    /**
     * Validates {@code resources} and merges {@code readDiagnostics} (what reading the files found) into one
     * list in {@link #ORDER}, so that every caller shows the problems of a configuration the same way.
     */
    public static ValidationResult validate(List<Resource<?>> resources, List<Diagnostic> readDiagnostics) {
        return validate(resources, readDiagnostics, new Memo());
    }

    /**
     * As {@link #validate(List, List)} for a caller that validates the configuration again after each change:
     * a resource {@code memo} saw in the last validation (the same object) is not validated on its own again.
     */
    public static ValidationResult validate(List<Resource<?>> resources, List<Diagnostic> readDiagnostics,
            Memo memo) {
        ValidationResult validated = validate(resources, memo);
        List<Diagnostic> all = new ArrayList<>(readDiagnostics);
        all.addAll(validated.diagnostics());
        all.sort(ORDER);
        return new ValidationResult(validated.accepted(), all);
    }

    /** Every problem of one resource on its own. */
    private static Problems validate(Resource<?> resource) {
        Problems problems = new Problems(resource);
        String name = resource.metadata().name();
        if (!FieldChecks.isDnsSubdomain(name)) {
            problems.add(DiagnosticCode.INVALID_NAME, "metadata.name", "invalid name \"" + name
                    + "\" (expected a DNS-1123 subdomain: lower-case letters, digits, '-' and '.')");
        }
        String namespace = resource.metadata().namespace();
        if (!FieldChecks.isDnsLabel(namespace)) {
            problems.add(DiagnosticCode.INVALID_NAME, "metadata.namespace", "invalid namespace \"" + namespace
                    + "\" (expected a DNS-1123 label: lower-case letters, digits, '-')");
        }
        switch (resource.kind()) {
            case VirtualService -> VirtualServiceValidator.validate((VirtualService) resource.spec(), problems);
            case DestinationRule -> DestinationRuleValidator.validate((DestinationRule) resource.spec(), namespace,
                    problems);
            case Gateway -> GatewayValidator.validate((Gateway) resource.spec(), problems);
            case ServiceEntry -> ServiceEntryValidator.validate((ServiceEntry) resource.spec(), problems);
            case WorkloadEntry -> WorkloadEntryValidator.validate((WorkloadEntry) resource.spec(), problems, "spec");
            case Sidecar -> SidecarValidator.validate((Sidecar) resource.spec(), problems);
            case Telemetry -> TelemetryValidator.validate((Telemetry) resource.spec(), problems);
            case AuthorizationPolicy -> AuthorizationPolicyValidator.validate(
                    (dev.meshgate.core.security.AuthorizationPolicy) resource.spec(), problems);
            case RequestAuthentication -> RequestAuthenticationValidator.validate(
                    (dev.meshgate.core.security.RequestAuthentication) resource.spec(), problems);
            case PeerAuthentication -> PeerAuthenticationValidator.validate(
                    (dev.meshgate.core.security.PeerAuthentication) resource.spec(), problems);
        }
        return problems;
    }

    /** Compares text with embedded numbers by their value: {@code a[2] < a[10]}, {@code f.yaml:9 < f.yaml:12}. */
    static int compareNatural(@Nullable String a, @Nullable String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int byLength = Integer.compare(na.length(), nb.length());
                if (byLength != 0) {
                    return byLength;
                }
                int byDigits = na.compareTo(nb);
                if (byDigits != 0) {
                    return byDigits;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * The problems each resource has on its own, kept by identity from one validation to the next, for a caller
     * whose source hands the same objects again for what did not change (the directory source keeps each
     * unchanged file's parse): one changed file of 1,000 costs validating its own resources, not 3,000. Resources
     * are immutable, so an object seen before has the same problems. Holds only the last validation's resources;
     * not thread-safe (one caller, one thread at a time).
     */
    public static final class Memo {

        private Map<Resource<?>, Problems> last = new IdentityHashMap<>();
        private Map<Resource<?>, Problems> seen = new IdentityHashMap<>();

        Problems problems(Resource<?> resource) {
            Problems problems = last.get(resource);
            if (problems == null) {
                problems = validate(resource);
            }
            seen.put(resource, problems);
            return problems;
        }

        void forgetUnseen() {
            last = seen;
            seen = new IdentityHashMap<>();
        }
    }

    /** The accepted resources and every problem found. */
    public record ValidationResult(List<Resource<?>> accepted, List<Diagnostic> diagnostics) {
        public ValidationResult {
            accepted = List.copyOf(accepted);
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        }
    }
}
