package dev.meshgate.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CidrTest {

    private static byte[] ip(String text) {
        return Cidr.literal(text);
    }

    @Test
    void blocksContainTheirAddressesOnly() {
        Cidr block = Cidr.parse("10.1.0.0/16");
        assertThat(block.contains(ip("10.1.255.3"))).isTrue();
        assertThat(block.contains(ip("10.2.0.1"))).isFalse();
        assertThat(Cidr.parse("10.1.2.3").contains(ip("10.1.2.3"))).isTrue();
        assertThat(Cidr.parse("10.1.2.3").contains(ip("10.1.2.4"))).isFalse();
        assertThat(Cidr.parse("10.0.0.0/9").contains(ip("10.127.0.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/9").contains(ip("10.128.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("1.2.3.4"))).isTrue();
        assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:1::1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(ip("::ffff:127.0.0.1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(ip("::1"))).isFalse();
    }

    @Test
    void namesAndMalformedBlocksAreRefusedWithoutLookup() {
        for (String bad : new String[] {"localhost", "10.0.0", "10.0.0.256", "10.0.0.0/33", "10.0.0.0/", "::/129",
            "", "1.2.3.4/a", "example.com/8"}) {
            assertThat(Cidr.parse(bad)).as(bad).isNull();
        }
    }
}
