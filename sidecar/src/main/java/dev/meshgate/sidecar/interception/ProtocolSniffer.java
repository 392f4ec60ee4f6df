package dev.meshgate.sidecar.interception;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;

/**
 * Tells a connection's protocol by its first bytes, as Envoy's {@code http_inspector} and {@code tls_inspector} do
 * for Istio's protocol sniffing: an HTTP/1 request line starts with a method and a space, HTTP/2 with prior knowledge
 * with the connection preface, TLS with a handshake record holding a ClientHello (read whole, so that its server
 * name can be read). Anything else (Redis' {@code *}, MySQL) is TCP.
 */
final class ProtocolSniffer {

    /** What the first bytes are. */
    enum Protocol { HTTP, TLS, TCP, NEED_MORE }

    private static final List<byte[]> HTTP_PREFIXES = java.util.stream.Stream.of("GET ", "HEAD ", "POST ", "PUT ",
            "DELETE ", "CONNECT ", "OPTIONS ", "TRACE ", "PATCH ", "PRI * HTTP/2.0")
            .map(prefix -> prefix.getBytes(StandardCharsets.US_ASCII)).toList();
    private static final int RECORD_HEADER = 5;
    private static final byte HANDSHAKE = 0x16;
    private static final byte CLIENT_HELLO = 0x01;
    /** The largest TLS record (2^14 plus what compression may add, RFC 5246 6.2.2). */
    private static final int MAX_RECORD = 16_384 + 2_048;

    private ProtocolSniffer() {
    }

    /** The protocol of the readable bytes of {@code first} (not consumed). */
    static Protocol detect(ByteBuf first) {
        int readable = first.readableBytes();
        if (readable == 0) {
            return Protocol.NEED_MORE;
        }
        if (first.getByte(first.readerIndex()) == HANDSHAKE) {
            return tls(first);
        }
        boolean possible = false;
        for (byte[] prefix : HTTP_PREFIXES) {
            int n = Math.min(readable, prefix.length);
            boolean matches = true;
            for (int i = 0; i < n && matches; i++) {
                matches = first.getByte(first.readerIndex() + i) == prefix[i];
            }
            if (matches && n == prefix.length) {
                return Protocol.HTTP;
            }
            possible |= matches;
        }
        return possible ? Protocol.NEED_MORE : Protocol.TCP;
    }

    /** A TLS record: version 3.x, a length a record may have, a ClientHello; NEED_MORE until it is all there. */
    private static Protocol tls(ByteBuf first) {
        int at = first.readerIndex();
        int readable = first.readableBytes();
        if (readable < RECORD_HEADER + 1) {
            return readable >= 2 && first.getByte(at + 1) != 0x03 ? Protocol.TCP : Protocol.NEED_MORE;
        }
        int length = first.getUnsignedShort(at + 3);
        if (first.getByte(at + 1) != 0x03 || first.getUnsignedByte(at + 2) > 0x04 || length == 0
                || length > MAX_RECORD || first.getByte(at + RECORD_HEADER) != CLIENT_HELLO) {
            return Protocol.TCP;
        }
        return readable < RECORD_HEADER + length ? Protocol.NEED_MORE : Protocol.TLS;
    }

    /**
     * The {@code server_name} of the ClientHello in the first record of {@code hello} (which {@link #detect} found
     * to be {@link Protocol#TLS}); null when it names none or cannot be read.
     */
    static @Nullable String serverName(ByteBuf hello) {
        int end = hello.readerIndex() + RECORD_HEADER + hello.getUnsignedShort(hello.readerIndex() + 3);
        // record header, handshake type and length, client_version, random
        int at = hello.readerIndex() + RECORD_HEADER + 4 + 2 + 32;
        try {
            at += 1 + hello.getUnsignedByte(at); // session_id
            at += 2 + hello.getUnsignedShort(at); // cipher_suites
            at += 1 + hello.getUnsignedByte(at); // compression_methods
            if (at + 2 > end) {
                return null;
            }
            int extensionsEnd = Math.min(end, at + 2 + hello.getUnsignedShort(at));
            at += 2;
            while (at + 4 <= extensionsEnd) {
                int type = hello.getUnsignedShort(at);
                int length = hello.getUnsignedShort(at + 2);
                at += 4;
                if (type == 0) { // server_name: list length, then entries of type, length, name
                    int entry = at + 2;
                    while (entry + 3 <= at + length) {
                        int nameLength = hello.getUnsignedShort(entry + 1);
                        if (hello.getByte(entry) == 0 && entry + 3 + nameLength <= extensionsEnd) {
                            return hello.toString(entry + 3, nameLength, StandardCharsets.US_ASCII);
                        }
                        entry += 3 + nameLength;
                    }
                    return null;
                }
                at += length;
            }
        } catch (IndexOutOfBoundsException e) {
            return null; // a malformed ClientHello names nothing
        }
        return null;
    }
}
