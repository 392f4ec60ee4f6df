package dev.meshgate.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void readsBothFormsAndRepeatedNames() {
        Options options = Options.parse(List.of("--port", "80", "--header=a:1", "--header", "b:2"));
        assertThat(options.integer("port", 0, 0, 65535)).isEqualTo(80);
        assertThat(options.all("header")).containsExactly("a:1", "b:2");
        assertThat(options.string("bind", "127.0.0.1")).isEqualTo("127.0.0.1");
    }

    @Test
    void rejectsUnknownOptionsAndBadNumbers() {
        assertThatThrownBy(() -> Options.parse(List.of("--prot", "80")).allowOnly("port"))
                .hasMessage("unknown option: --prot");
        assertThatThrownBy(() -> Options.parse(List.of("--port", "x")).integer("port", 0, 0, 65535))
                .hasMessage("--port: x (expected: an integer)");
        assertThatThrownBy(() -> Options.parse(List.of("--port", "70000")).integer("port", 0, 0, 65535))
                .hasMessage("--port: 70000 (expected: 0..65535)");
        assertThatThrownBy(() -> Options.parse(List.of("--port"))).hasMessage("--port: missing value");
    }
}
