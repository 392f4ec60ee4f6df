package dev.meshgate.proxy.route;

import java.net.URI;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.DefaultServerWebExchange;
import org.springframework.web.server.i18n.AcceptHeaderLocaleContextResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link ServerWebExchange} built from a method, URI and headers, with no server behind it: what
 * {@link Simulator} hands the proxy's real route lookup. Only the request side is meaningful; the body is empty
 * and the response writes nothing. (Spring's mock exchange lives in spring-test, which is not on a runtime
 * classpath.)
 */
final class SimulatedExchange {

    private static final ServerCodecConfigurer CODECS = ServerCodecConfigurer.create();

    private SimulatedExchange() {
    }

    static ServerWebExchange of(HttpMethod method, URI uri, HttpHeaders headers) {
        return new DefaultServerWebExchange(new Request(method, uri, headers), new Response(), new DefaultWebSessionManager(),
                CODECS, new AcceptHeaderLocaleContextResolver());
    }

    private static final class Request extends AbstractServerHttpRequest {

        Request(HttpMethod method, URI uri, HttpHeaders headers) {
            super(method, uri, "", headers);
        }

        @Override
        protected MultiValueMap<String, HttpCookie> initCookies() {
            return new LinkedMultiValueMap<>();
        }

        @Override
        protected @Nullable SslInfo initSslInfo() {
            return null;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getNativeRequest() {
            return (T) this;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return Flux.empty();
        }
    }

    private static final class Response extends AbstractServerHttpResponse {

        Response() {
            super(DefaultDataBufferFactory.sharedInstance);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getNativeResponse() {
            return (T) this;
        }

        @Override
        protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
            return Flux.from(body).then();
        }

        @Override
        protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return Flux.from(body).flatMap(Flux::from).then();
        }

        @Override
        protected void applyStatusCode() {
        }

        @Override
        protected void applyHeaders() {
        }

        @Override
        protected void applyCookies() {
        }
    }
}
