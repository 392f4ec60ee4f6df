package dev.meshgate.proxy.authz;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.security.PathTemplate;

/**
 * The values of {@code paths} (or {@code notPaths}): Istio's exact, prefix, suffix and presence forms through a
 * {@link ValueMatcher}, path templates ({@code {*}}, {@code {**}}) each compiled once into a {@link PathTemplate}.
 */
final class PathMatcher {

    private final ValueMatcher values;
    private final List<PathTemplate> templates;

    private PathMatcher(ValueMatcher values, List<PathTemplate> templates) {
        this.values = values;
        this.templates = templates;
    }

    static PathMatcher of(List<String> paths) {
        List<String> values = new ArrayList<>();
        List<PathTemplate> templates = new ArrayList<>();
        for (String path : paths) {
            if (PathTemplate.isTemplate(path)) {
                templates.add(PathTemplate.compile(path));
            } else {
                values.add(path);
            }
        }
        return new PathMatcher(ValueMatcher.of(values), List.copyOf(templates));
    }

    /** Whether {@code path} (normalized, without query) matches one of the values. */
    boolean matches(String path) {
        if (values.matches(path)) {
            return true;
        }
        for (int i = 0, n = templates.size(); i < n; i++) {
            if (templates.get(i).matches(path)) {
                return true;
            }
        }
        return false;
    }
}
