package dev.meshgate.controlplane.admission;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

import dev.meshgate.controlplane.ca.MeshCa;
import dev.meshgate.controlplane.ca.ServingCertificate;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The webhooks' HTTPS port (istiod's 15017): {@code POST /validate} and {@code POST /inject}, AdmissionReview JSON
 * in and out, with a certificate the mesh CA issues for the webhook Service's DNS names, renewed at half of its life
 * and when the CA is reloaded ({@link ServingCertificate}).
 */
final class WebhookListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookListener.class);
    /** The API server gives a webhook at most 30 s; an AdmissionReview is small. */
    private static final int MAX_BODY = 8 * 1024 * 1024;

    private final MeshCa ca;
    private final WebhookProperties properties;
    private final Function<JsonNode, ObjectNode> inject;
    private volatile @Nullable DisposableServer server;
    private volatile @Nullable ServingCertificate certificate;

    WebhookListener(MeshCa ca, WebhookProperties properties, Function<JsonNode, ObjectNode> inject) {
        this.ca = ca;
        this.properties = properties;
        this.inject = inject;
    }

    @Override
    public void start() {
        ServingCertificate serving = new ServingCertificate("webhook", ca,
                () -> ca.servingCredentials(properties.dnsNames(), properties.certTtl()), java.time.Clock.systemUTC());
        certificate = serving;
        SslContext ssl = serving.serverContext(io.netty.handler.ssl.ClientAuth.NONE);
        server = HttpServer.create().host(properties.address()).port(properties.port())
                .secure(spec -> spec.sslContext(ssl))
                .route(routes -> routes
                        .post("/validate", (request, response) -> answer(request, response, ValidationWebhook::review))
                        .post("/inject", (request, response) -> answer(request, response, inject)))
                .bindNow();
        log.info("Admission webhooks over HTTPS on {}:{} (/validate, /inject) for {}", properties.address(), port(),
                properties.dnsNames().get(0));
    }

    private Publisher<Void> answer(HttpServerRequest request, HttpServerResponse response,
            Function<JsonNode, ObjectNode> webhook) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
            String answer;
            HttpResponseStatus status = HttpResponseStatus.OK;
            if (body.length > MAX_BODY) {
                status = HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
                answer = "{\"error\":\"body larger than " + MAX_BODY + " bytes\"}";
            } else {
                try {
                    answer = webhook.apply(AdmissionReviews.request(body)).toString();
                } catch (AdmissionReviews.BadReview e) {
                    status = HttpResponseStatus.BAD_REQUEST;
                    answer = AdmissionReviews.JSON.createObjectNode().put("error", e.getMessage()).toString();
                }
            }
            return Mono.from(response.status(status)
                    .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .sendString(Mono.just(answer), StandardCharsets.UTF_8));
        });
    }

    /** The bound port (the configured one, or the one picked for 0). */
    int port() {
        DisposableServer bound = server;
        if (bound == null) {
            throw new IllegalStateException("the webhook listener is not started");
        }
        return ((InetSocketAddress) bound.address()).getPort();
    }

    @Override
    public void stop() {
        DisposableServer bound = server;
        if (bound != null) {
            bound.disposeNow(Duration.ofSeconds(2));
            server = null;
        }
        ServingCertificate serving = certificate;
        if (serving != null) {
            serving.close();
            certificate = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }
}
