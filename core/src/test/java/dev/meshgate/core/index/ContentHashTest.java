package dev.meshgate.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.VirtualHostSpec;

import org.junit.jupiter.api.Test;

class ContentHashTest {

    @Test
    void aPartIsHashedOnceAndHashesAsItsContent() {
        VirtualHostSpec host = new VirtualHostSpec("reviews:80", List.of("reviews"), List.of());
        VirtualHostSpec equal = new VirtualHostSpec("reviews:80", List.of("reviews"), List.of());

        String first = ContentHash.ofPart(host);

        assertThat(first).isEqualTo(ContentHash.of(host)).isEqualTo(ContentHash.ofPart(equal));
        // the same object is not hashed again: its first result is returned
        assertThat(ContentHash.ofPart(host)).isSameAs(first);
        assertThat(ContentHash.ofPart(new VirtualHostSpec("reviews:80", List.of("reviews.prod"), List.of())))
                .isNotEqualTo(first);
    }

    @Test
    void hashedPartTellsWhetherThisObjectsHashIsHeldWithoutHashingIt() {
        VirtualHostSpec host = new VirtualHostSpec("details:80", List.of("details"), List.of());
        VirtualHostSpec equal = new VirtualHostSpec("details:80", List.of("details"), List.of());

        assertThat(ContentHash.hashedPart(host)).isFalse();
        assertThat(ContentHash.hashedPart(host)).as("asking hashes nothing").isFalse();
        ContentHash.ofPart(host);

        assertThat(ContentHash.hashedPart(host)).isTrue();
        assertThat(ContentHash.hashedPart(equal)).as("an equal object is another key").isFalse();
    }

    @Test
    void aViewsVersionFollowsTheContentOfEachPartAndTheirOrder() {
        VirtualHostSpec a = new VirtualHostSpec("a:80", List.of("a"), List.of());
        VirtualHostSpec b = new VirtualHostSpec("b:80", List.of("b"), List.of());
        ProxyView ab = view(List.of(a, b));

        assertThat(view(List.of(new VirtualHostSpec("a:80", List.of("a"), List.of()), b)).contentVersion())
                .isEqualTo(ab.contentVersion());
        assertThat(view(List.of(b, a)).contentVersion()).isNotEqualTo(ab.contentVersion());
        assertThat(view(List.of(a, new VirtualHostSpec("b:80", List.of("b", "b.prod"), List.of()))).contentVersion())
                .isNotEqualTo(ab.contentVersion());
        assertThat(view(List.of(a, b)).withRouting(List.of(), List.of(), List.of()).contentVersion())
                .isNotEqualTo(ab.contentVersion());
        assertThat(ab.versioned("s1").version()).isEqualTo(ab.contentVersion());
    }

    private static ProxyView view(List<VirtualHostSpec> hosts) {
        return new ProxyView("", "s0", List.of(new ListenerSpec("outbound", 15001,
                ListenerSpec.Direction.OUTBOUND, hosts)), List.of(),
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY);
    }
}
