package dev.meshgate.cli.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The repository's {@code k8s/} is {@link KustomizeLayout}'s rendering ({@code -Dk8s.regenerate=true} rewrites it;
 * review the diff), and each overlay, its bases followed as kustomize follows them, holds exactly what
 * {@code manifest generate --set profile=<overlay>} prints.
 */
class KustomizeLayoutTest {

    private static final Path K8S = Path.of("..", "k8s");

    @Test
    void theCommittedFilesAreWhatTheInstallRenders() throws IOException {
        Map<String, String> rendered = KustomizeLayout.files();
        if (Boolean.getBoolean("k8s.regenerate")) {
            for (String stale : committed().keySet()) {
                if (!rendered.containsKey(stale)) {
                    Files.delete(K8S.resolve(stale));
                }
            }
            for (Map.Entry<String, String> file : rendered.entrySet()) {
                Files.createDirectories(K8S.resolve(file.getKey()).getParent());
                Files.writeString(K8S.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
        }
        assertThat(committed()).as("k8s/ (rewrite it with -Dk8s.regenerate=true, then review)")
                .isEqualTo(new TreeMap<>(rendered));
    }

    @ParameterizedTest
    @EnumSource(InstallProfile.class)
    void eachOverlayHoldsExactlyWhatManifestGeneratePrintsForItsProfile(InstallProfile profile) throws Exception {
        List<String> overlay = new ArrayList<>();
        resolve(K8S.resolve("overlays").resolve(profile.profileName()), overlay);
        ManifestGenerateTest.Generated run = ManifestGenerateTest.generate("--set", "profile=" + profile.profileName());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> generated = ManifestGenerateTest.documents(run.out()).stream().map(JsonNode::toString).toList();
        assertThat(overlay).containsExactlyInAnyOrderElementsOf(generated);
    }

    /** The objects of a kustomization directory: its bases' first, then its resources'. */
    private static void resolve(Path dir, List<String> objects) throws Exception {
        JsonNode kustomization = ManifestGenerateTest.YAML.readTree(Files.readString(dir.resolve("kustomization.yaml")));
        for (JsonNode base : kustomization.path("bases")) {
            resolve(dir.resolve(base.asString()).normalize(), objects);
        }
        for (JsonNode resource : kustomization.path("resources")) {
            ManifestGenerateTest.documents(Files.readString(dir.resolve(resource.asString())))
                    .forEach(o -> objects.add(o.toString()));
        }
    }

    private static Map<String, String> committed() throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(K8S)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(K8S)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(K8S.relativize(file).toString().replace('\\', '/'), Files.readString(file));
            }
        }
        return files;
    }
}
