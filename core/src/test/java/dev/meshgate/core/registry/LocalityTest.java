package dev.meshgate.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LocalityTest {

    @Test
    void parsesIstiosRegionZoneSubzone() {
        assertThat(Locality.parse("us-east/zone-a/rack-1")).isEqualTo(new Locality("us-east", "zone-a", "rack-1"));
        assertThat(Locality.parse("us-east")).isEqualTo(new Locality("us-east", "", ""));
        assertThat(Locality.parse("a/b/c/d")).isEqualTo(new Locality("a", "b", "c"));
        assertThat(Locality.parse(null).isUnknown()).isTrue();
        assertThat(Locality.parse("us-east/zone-a").toString()).isEqualTo("us-east/zone-a");
    }

    @Test
    void explicitLocalityWinsOverLabelsWhichWinOverTopologyLabels() {
        Map<String, String> labels = Map.of(Locality.LABEL, "eu.z1.r1", Locality.REGION_LABEL, "us",
                Locality.ZONE_LABEL, "us-1");
        assertThat(Locality.of("ap/z", labels)).isEqualTo(new Locality("ap", "z", ""));
        assertThat(Locality.of(null, labels)).isEqualTo(new Locality("eu", "z1", "r1"));
        assertThat(Locality.of(null, Map.of(Locality.REGION_LABEL, "us", Locality.ZONE_LABEL, "us-1")))
                .isEqualTo(new Locality("us", "us-1", ""));
        assertThat(Locality.of(" ", Map.of())).isEqualTo(Locality.UNKNOWN);
    }

    @Test
    void matchesRulesWithWildcardsAndAbsentPartsAsIstioDoes() {
        Locality l = Locality.parse("us-east/zone-a/rack-1");
        assertThat(l.matches("us-east")).isTrue();
        assertThat(l.matches("us-east/*")).isTrue();
        assertThat(l.matches("us-east/zone-a/*")).isTrue();
        assertThat(l.matches("*")).isTrue();
        assertThat(l.matches("us-east/zone-b")).isFalse();
        assertThat(l.matches("us-west/*")).isFalse();
    }

    @Test
    void distanceIsIstiosLbPriority() {
        Locality proxy = Locality.parse("r/z/s");
        assertThat(proxy.distanceTo(Locality.parse("r/z/s"))).isZero();
        assertThat(proxy.distanceTo(Locality.parse("r/z/t"))).isEqualTo(1);
        assertThat(proxy.distanceTo(Locality.parse("r/y"))).isEqualTo(2);
        assertThat(proxy.distanceTo(Locality.parse("q/z/s"))).isEqualTo(3);
        assertThat(Locality.UNKNOWN.distanceTo(Locality.UNKNOWN)).isZero();
    }
}
