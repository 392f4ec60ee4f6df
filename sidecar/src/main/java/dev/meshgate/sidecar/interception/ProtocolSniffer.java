package dev.meshgate.sidecar.interception;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;

/**
 * Tells HTTP from other TCP by a connection's first bytes, as Envoy's {@code http_inspector}: an HTTP/1 request line
 * starts with a method and a space, HTTP/2 with prior knowledge with the connection preface. Anything else (Redis'
 * {@code *}, a TLS ClientHello, MySQL) is TCP.
 */
final class ProtocolSniffer {

    /** What the first bytes are. */
    enum Protocol { HTTP, TCP, NEED_MORE }

    private static final List<byte[]> HTTP_PREFIXES = java.util.stream.Stream.of("GET ", "HEAD ", "POST ", "PUT ",
            "DELETE ", "CONNECT ", "OPTIONS ", "TRACE ", "PATCH ", "PRI * HTTP/2.0")
            .map(prefix -> prefix.getBytes(StandardCharsets.US_ASCII)).toList();

    private ProtocolSniffer() {
    }

    /** The protocol of the readable bytes of {@code first} (not consumed). */
    static Protocol detect(ByteBuf first) {
        int readable = first.readableBytes();
        if (readable == 0) {
            return Protocol.NEED_MORE;
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
}
