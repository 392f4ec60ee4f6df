package dev.meshgate.proxy.authz;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.security.Cidr;

/** The bytes of an IP literal from a header, without ever resolving a name. */
final class IpLiteral {

    private IpLiteral() {
    }

    static byte @Nullable [] parse(String text) {
        Cidr cidr = text.indexOf('/') >= 0 ? null : Cidr.parse(text);
        return cidr == null ? null : cidr.network();
    }
}
