package dev.meshgate.controlplane.admission;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.yaml.ResourceReader;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The validating webhook (istiod's {@code /validate}): an Istio object created or updated through the API is read
 * and validated by the same reader and validator as {@code meshctl analyze} and the config sources, so {@code
 * kubectl apply} of an invalid resource is refused with the lines analyze prints (without the file position, which
 * means nothing for an object sent to the API server).
 *
 * <p>An ERROR refuses the object, warnings are returned as admission warnings. A kind an Istio group does not define
 * is an error (as istiod's "unrecognized type"); a non-Istio object or an Istio kind meshgate does not read yet is
 * allowed with a warning. The cross-resource analyzers (MG09xx) are not run: they judge a whole mesh, and one object
 * on its own would only draw false warnings (a Gateway "not found" that exists). Deletes are always allowed.
 */
final class ValidationWebhook {

    private static final String ANALYZER_CODES = "MG09";

    private ValidationWebhook() {
    }

    static ObjectNode review(JsonNode request) {
        if (request.path("operation").asString("").equals("DELETE")) {
            return AdmissionReviews.allowed(request, List.of());
        }
        ObjectNode object = AdmissionReviews.object(request);
        if (object == null) {
            return AdmissionReviews.denied(request, "request.object: missing (expected: the object to admit)",
                    List.of());
        }
        List<Diagnostic> diagnostics = diagnostics(object);
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Diagnostic diagnostic : diagnostics) {
            (diagnostic.severity() == Diagnostic.Severity.ERROR ? errors : warnings).add(diagnostic.format());
        }
        return errors.isEmpty() ? AdmissionReviews.allowed(request, warnings)
                : AdmissionReviews.denied(request, String.join("\n", errors), warnings);
    }

    /** What analyze would say of this one object, its position left out. */
    static List<Diagnostic> diagnostics(ObjectNode object) {
        ResourceReader.ReadResult read = ResourceReader.read("admission", object.toString());
        List<Diagnostic> found = new ArrayList<>();
        for (Diagnostic d : MeshValidator.validate(read.resources(), read.diagnostics()).diagnostics()) {
            if (!d.code().startsWith(ANALYZER_CODES)) {
                found.add(new Diagnostic(d.severity(), d.code(), d.kind(), d.resource(), d.field(), d.message(),
                        null));
            }
        }
        return found;
    }
}
