package dev.meshgate.core.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.validation.MeshValidator.ValidationResult;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.core.yaml.ResourceReader.ReadResult;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;

/** Reads fixture inputs and writes views as reviewable YAML. */
final class Fixtures {

    /** Leaves out of the YAML what is absent or empty, header operations included. */
    static final class Absent {
        @Override
        public boolean equals(Object value) {
            return value == null || (value instanceof java.util.Collection<?> c && c.isEmpty())
                    || (value instanceof Map<?, ?> m && m.isEmpty()) || (value instanceof HeaderOps ops && ops.isEmpty());
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .enable(YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
            .changeDefaultPropertyInclusion(inclusion -> inclusion
                    .withValueInclusion(JsonInclude.Include.CUSTOM).withValueFilter(Absent.class))
            .build();

    private Fixtures() {
    }

    /**
     * The resources of a fixture's YAML as the control plane would index them: read by {@link ResourceReader},
     * kept by {@link MeshValidator}. A fixture must be valid Istio: any ERROR fails the test.
     */
    static List<Resource<?>> resources(String source, String yaml) {
        ReadResult read = ResourceReader.read(source, yaml);
        ValidationResult validation = MeshValidator.validate(read.resources());
        List<String> errors = new ArrayList<>();
        for (Diagnostic diagnostic : read.diagnostics()) {
            if (diagnostic.severity() == Diagnostic.Severity.ERROR) {
                errors.add(diagnostic.format());
            }
        }
        for (Diagnostic diagnostic : validation.diagnostics()) {
            if (diagnostic.severity() == Diagnostic.Severity.ERROR) {
                errors.add(diagnostic.format());
            }
        }
        assertThat(errors).as("errors in " + source).isEmpty();
        return validation.accepted();
    }

    static ProxyIdentity proxy(String yaml) {
        return YAML.readValue(yaml, ProxyIdentity.class);
    }

    static String yaml(ProxyView view) {
        return YAML.writeValueAsString(view);
    }
}
