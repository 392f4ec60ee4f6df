package dev.meshgate.proxy.server;

import org.jspecify.annotations.Nullable;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Makes the authority of an absolute-form request target ({@code GET http://web/ HTTP/1.0}, what a client sends
 * to an explicit proxy) the request's {@code Host}, as RFC 9112 §3.2.2 requires of a server and a proxy: the
 * received Host, if any, is ignored. Routing picks the virtual host by Host, and an HTTP/1.0 client sends none.
 */
@ChannelHandler.Sharable
final class AbsoluteFormHost extends ChannelInboundHandlerAdapter {

    static final AbsoluteFormHost INSTANCE = new AbsoluteFormHost();

    private AbsoluteFormHost() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            String authority = authorityOf(request.uri());
            if (authority != null) {
                request.headers().set(HttpHeaderNames.HOST, authority);
            }
        }
        super.channelRead(ctx, msg);
    }

    /** The authority of an absolute-form target without user info, or null for origin-form and others. */
    static @Nullable String authorityOf(String target) {
        if (target.isEmpty() || target.charAt(0) == '/') {
            return null;
        }
        int scheme = target.indexOf("://");
        if (scheme <= 0) {
            return null;
        }
        int start = scheme + 3;
        int end = target.length();
        for (int i = start; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int at = target.lastIndexOf('@', end - 1);
        if (at >= start) {
            start = at + 1;
        }
        return start < end ? target.substring(start, end) : null;
    }
}
