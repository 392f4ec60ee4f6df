package dev.meshgate.proxy.telemetry;

import dev.meshgate.proxy.filter.NativeHeaders;
import dev.meshgate.proxy.stream.StreamInfo;

import org.springframework.web.server.ServerWebExchange;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Istio's HTTP peer metadata exchange on the proxy's upstream calls. The client side (a sidecar's outbound
 * listener, a gateway) sends its own {@code x-envoy-peer-metadata(-id)} on the upstream request and takes the
 * server's from the response (recorded in the request's {@link StreamInfo}), removing them before its client
 * sees the response. The server side (a sidecar's inbound listener) removes them from the request before the
 * app sees it and answers with its own when the request carried a peer's. The proxy's own header values are
 * encoded once, also as Netty's byte strings for the upstream request, which its encoder copies as bytes (the
 * metadata is a few hundred characters, which a {@code String} value would have written one by one).
 */
public final class PeerMetadataExchange {

    private static final AsciiString ID = AsciiString.cached(PeerMetadata.ID_HEADER);
    private static final AsciiString METADATA = AsciiString.cached(PeerMetadata.HEADER);

    private final String ownId;
    private final String ownMetadata;
    private final AsciiString ownIdBytes;
    private final AsciiString ownMetadataBytes;

    /**
     * @param ownId this proxy's node id
     * @param ownMetadata this proxy's metadata in Istio's encoding ({@link PeerMetadata#encode})
     */
    public PeerMetadataExchange(String ownId, String ownMetadata) {
        this.ownId = ownId;
        this.ownMetadata = ownMetadata;
        this.ownIdBytes = new AsciiString(ownId);
        this.ownMetadataBytes = new AsciiString(ownMetadata);
    }

    /** Sets or strips the headers of the upstream request about to be sent. */
    public void upstreamRequest(StreamInfo info, HttpHeaders headers) {
        if (info.inbound()) {
            headers.remove(ID);
            headers.remove(METADATA);
        } else if (info.listener() != null) {
            headers.set(ID, ownIdBytes);
            headers.set(METADATA, ownMetadataBytes);
        }
    }

    /** Takes the upstream's metadata from its response headers (client side), before they are copied. */
    public void upstreamResponse(StreamInfo info, HttpHeaders upstream) {
        if (info.listener() != null && !info.inbound()) {
            info.upstreamPeerMetadata(upstream.get(METADATA));
        }
    }

    /** Fixes the response headers after they were copied: strips the peer's, adds this proxy's (server side). */
    public void responseCopied(StreamInfo info, ServerWebExchange exchange) {
        if (info.listener() == null) {
            return;
        }
        boolean inbound = info.inbound();
        HttpHeaders own = NativeHeaders.response(exchange.getResponse());
        if (own != null) {
            // The server's own map: byte-string names, and a remove of an absent header costs what a read does.
            if (inbound && NativeHeaders.first(exchange.getRequest(), ID) != null) {
                own.set(ID, ownIdBytes);
                own.set(METADATA, ownMetadataBytes);
            } else {
                own.remove(ID);
                own.remove(METADATA);
            }
            return;
        }
        org.springframework.http.HttpHeaders response = exchange.getResponse().getHeaders();
        if (inbound && exchange.getRequest().getHeaders().getFirst(PeerMetadata.ID_HEADER) != null) {
            response.set(PeerMetadata.ID_HEADER, ownId);
            response.set(PeerMetadata.HEADER, ownMetadata);
            return;
        }
        if (response.getFirst(PeerMetadata.HEADER) != null || response.getFirst(PeerMetadata.ID_HEADER) != null) {
            response.remove(PeerMetadata.ID_HEADER);
            response.remove(PeerMetadata.HEADER);
        }
    }
}
