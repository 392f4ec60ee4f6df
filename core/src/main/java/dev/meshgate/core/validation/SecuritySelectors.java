package dev.meshgate.core.validation;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.security.PolicyTargetReference;
import dev.meshgate.core.security.SecurityWorkloadSelector;

import org.jspecify.annotations.Nullable;

/** The {@code selector} and {@code targetRef(s)} checks shared by the security kinds. */
final class SecuritySelectors {

    private SecuritySelectors() {
    }

    static void validate(Problems problems, @Nullable SecurityWorkloadSelector selector,
            @Nullable PolicyTargetReference targetRef, List<PolicyTargetReference> targetRefs) {
        problems.unsupported("spec.targetRef", targetRef);
        problems.unsupported("spec.targetRefs", targetRefs);
        if (selector != null && (targetRef != null || !targetRefs.isEmpty())) {
            problems.add(DiagnosticCode.SECURITY_INVALID_SELECTOR, "spec.selector",
                    "selector cannot be set together with targetRef or targetRefs");
        }
        if (selector != null) {
            for (Map.Entry<String, String> label : selector.matchLabels().entrySet()) {
                if (label.getKey().isEmpty()) {
                    problems.add(DiagnosticCode.SECURITY_INVALID_SELECTOR, "spec.selector.matchLabels",
                            "label key must not be empty");
                }
            }
        }
    }
}
