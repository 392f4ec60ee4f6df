package dev.meshgate.core.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {

    @TempDir
    Path root;

    @Test
    void yamlYmlAndJsonOfAnyCaseAreConfig() {
        assertThat(ConfigFiles.isConfigFile(Path.of("a.yaml"))).isTrue();
        assertThat(ConfigFiles.isConfigFile(Path.of("dir/a.YML"))).isTrue();
        assertThat(ConfigFiles.isConfigFile(Path.of("a.Json"))).isTrue();
        assertThat(ConfigFiles.isConfigFile(Path.of("a.txt"))).isFalse();
        assertThat(ConfigFiles.isConfigFile(Path.of("README.md"))).isFalse();
    }

    @Test
    void hiddenAndEditorFilesAreNotConfig() {
        assertThat(ConfigFiles.isConfigFile(Path.of(".a.yaml"))).isFalse();
        assertThat(ConfigFiles.isConfigFile(Path.of("#a.yaml#"))).isFalse();
        assertThat(ConfigFiles.isConfigFile(Path.of("a.yaml~"))).isFalse();
        assertThat(ConfigFiles.isConfigFile(Path.of(".#a.yaml"))).isFalse();
    }

    @Test
    void theWalkRecursesButSkipsHiddenDirectories() throws IOException {
        write("a.yaml");
        write("nested/deeper/b.yml");
        write(".git/c.yaml");
        write("..data/d.yaml");
        write("nested/.hidden/e.json");
        write("nested/notes.txt");
        List<String> seen = new ArrayList<>();
        Files.walkFileTree(root, new ConfigFiles.Visitor(root) {
            @Override
            protected void configFile(String relativeName, Path file) {
                seen.add(relativeName);
            }
        });
        assertThat(seen).containsExactlyInAnyOrder("a.yaml", "nested/deeper/b.yml");
    }

    @Test
    void aHiddenRootIsStillRead() throws IOException {
        Path hiddenRoot = Files.createDirectories(root.resolve(".config"));
        Files.writeString(hiddenRoot.resolve("a.yaml"), "");
        List<String> seen = new ArrayList<>();
        Files.walkFileTree(hiddenRoot, new ConfigFiles.Visitor(hiddenRoot) {
            @Override
            protected void configFile(String relativeName, Path file) {
                seen.add(relativeName);
            }
        });
        assertThat(seen).containsExactly("a.yaml");
    }

    private void write(String name) throws IOException {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
    }
}
