package dev.meshgate.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class IdentityMemoTest {

    @Test
    void aValueIsComputedOncePerObjectAndAgainForAnEqualOtherObject() {
        AtomicInteger computed = new AtomicInteger();
        IdentityMemo<String> memo = new IdentityMemo<>((List<String> list) -> {
            computed.incrementAndGet();
            return String.join(",", list);
        });
        List<String> key = List.of("a", "b");
        List<String> equal = List.of("a", "b");

        String first = memo.get(key);
        String again = memo.get(key);
        String other = memo.get(equal);

        assertThat(again).isSameAs(first);
        assertThat(other).isEqualTo("a,b").isNotSameAs(first);
        assertThat(computed).hasValue(2);
    }
}
