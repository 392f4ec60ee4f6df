package dev.meshgate.controlplane.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.controlplane.source.kubernetes.MockApiServer;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.Pem;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CA in Kubernetes mode: an injected pod's projected service-account token, sent with its CSR over TLS, is
 * checked by a TokenReview, and the certificate is for the namespace and service account the review names, nothing
 * else; a review that fails or does not authenticate gives no certificate.
 *
 * <p>A mixed API server: fabric8's mock in CRUD mode serves the config source's informers (through the watch
 * bridge), but CRUD mode cannot authenticate a token (it would store the TokenReview and echo it without a status),
 * so {@code /apis/authentication.k8s.io/v1/tokenreviews} alone is routed to a second fabric8 mock in expectation
 * mode, which answers each review from the token it carries, as an API server would for these made-up tokens.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesTokenReviewTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** Tokens in a JWT's shape (three parts); what each one is to the API server is decided below. */
    static final String WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.web.sig";
    static final String UNKNOWN_TOKEN = "eyJhbGciOiJSUzI1NiJ9.unknown.sig";
    static final String USER_TOKEN = "eyJhbGciOiJSUzI1NiJ9.alice.sig";
    static final String FAILING_TOKEN = "eyJhbGciOiJSUzI1NiJ9.boom.sig";

    MockApiServer api;
    ConfigurableApplicationContext context;
    final List<JsonObject> reviews = new CopyOnWriteArrayList<>();
    List<X509Certificate> roots;
    String tlsAddress;

    @BeforeEach
    void forgetReviews() {
        reviews.clear();
    }

    @BeforeAll
    void start() throws Exception {
        api = new MockApiServer();
        api.expectTokenReviews(review -> {
            reviews.add(review);
            String token = review.getAsJsonObject("spec").get("token").getAsString();
            JsonArray audiences = review.getAsJsonObject("spec").getAsJsonArray("audiences");
            boolean forTheCa = audiences != null && audiences.toString().contains("\"istio-ca\"");
            JsonObject status = new JsonObject();
            switch (token) {
                case WEB_TOKEN -> {
                    status.addProperty("authenticated", forTheCa);
                    if (forTheCa) {
                        status.add("user", user("system:serviceaccount:shop:web", "system:serviceaccounts",
                                "system:serviceaccounts:shop", "system:authenticated"));
                        status.add("audiences", audiences);
                    }
                }
                case USER_TOKEN -> {
                    status.addProperty("authenticated", true);
                    status.add("user", user("alice", "system:authenticated"));
                }
                case FAILING_TOKEN -> {
                    return Map.entry(500, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                            + "\"message\":\"etcd unavailable\",\"code\":500}");
                }
                default -> {
                    status.addProperty("authenticated", false);
                    status.addProperty("error", "[invalid bearer token, square/go-jose: error in cryptographic "
                            + "primitive]");
                }
            }
            JsonObject answer = review.deepCopy();
            answer.add("status", status);
            return Map.entry(201, answer.toString());
        });
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-source=kubernetes",
                "--meshgate.control-plane.kubernetes.api-server=" + api.uri(), "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0",
                "--meshgate.control-plane.kubernetes.leader-election.enabled=false");
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        // The roots and the TLS address, as a workload outside Kubernetes would get them.
        CaEndpointsTest.Response credential = CaEndpointsTest.send(HttpClient.create(), "http://127.0.0.1:" + port
                + "/admin/workload-credentials", null, "{\"name\":\"probe\",\"namespace\":\"shop\"}");
        JsonNode answer = JSON.readTree(credential.body());
        roots = Pem.certificates(answer.get("rootCert").asString());
        tlsAddress = answer.get("discoveryAddress").asString();
    }

    @AfterAll
    void stop() {
        if (context != null) {
            context.close();
        }
        api.close();
    }

    @Test
    void aServiceAccountTokenGetsACertificateForTheNamespaceAndServiceAccountTheReviewNamesOnly() throws Exception {
        KeyPair keys = CertificateRequest.generateKeyPair();
        SpiffeId web = new SpiffeId("cluster.local", "shop", "web");

        CaEndpointsTest.Response signed = sign(CertificateRequest.create(keys, web), WEB_TOKEN);

        assertThat(signed.status()).as(signed.body()).isEqualTo(200);
        X509Certificate leaf = Pem.certificates(JSON.readTree(signed.body()).get("certificateChain").asString()).get(0);
        assertThat(CertificateChains.spiffeId(leaf)).isEqualTo(web);
        assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(reviews).hasSize(1);
        assertThat(reviews.get(0).get("apiVersion").getAsString()).isEqualTo("authentication.k8s.io/v1");
        assertThat(reviews.get(0).getAsJsonObject("spec").getAsJsonArray("audiences").toString())
                .isEqualTo("[\"istio-ca\"]");

        CaEndpointsTest.Response other = sign(CertificateRequest.create(CertificateRequest.generateKeyPair(),
                new SpiffeId("cluster.local", "shop", "payments")), WEB_TOKEN);
        CaEndpointsTest.Response otherNamespace = sign(CertificateRequest.create(CertificateRequest.generateKeyPair(),
                new SpiffeId("cluster.local", "bank", "web")), WEB_TOKEN);

        assertThat(other.status()).isEqualTo(403);
        assertThat(other.body()).contains("proved spiffe://cluster.local/ns/shop/sa/web");
        assertThat(otherNamespace.status()).isEqualTo(403);
    }

    @Test
    void aTokenNotAuthenticatedNotOfAServiceAccountOrAFailedReviewGetsNoCertificate(CapturedOutput output) {
        String csr = CertificateRequest.create(CertificateRequest.generateKeyPair(),
                new SpiffeId("cluster.local", "shop", "web"));

        CaEndpointsTest.Response unknown = sign(csr, UNKNOWN_TOKEN);
        CaEndpointsTest.Response user = sign(csr, USER_TOKEN);
        CaEndpointsTest.Response failed = sign(csr, FAILING_TOKEN);

        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.body()).contains("the service account authentication returns an error: [invalid bearer "
                + "token");
        assertThat(user.status()).isEqualTo(401);
        assertThat(user.body()).contains("the token is not a service account's");
        assertThat(failed.status()).isEqualTo(401);
        assertThat(failed.body()).contains("the TokenReview failed: HTTP 500");
        assertThat(output.getOut()).contains("CA: refused a CSR from").contains("the TokenReview failed: HTTP 500")
                .doesNotContain(FAILING_TOKEN).doesNotContain(UNKNOWN_TOKEN);
    }

    @Test
    void aBootstrapTokenStillWorksBesideServiceAccountTokensAndIsNeverSentToTheApiServer() {
        String token = context.getBean(BootstrapTokens.class).issue("vm-1", "shop", "web",
                java.time.Instant.now().plusSeconds(600)).value();

        CaEndpointsTest.Response signed = sign(CertificateRequest.create(CertificateRequest.generateKeyPair(),
                new SpiffeId("cluster.local", "shop", "web")), token);

        assertThat(signed.status()).as(signed.body()).isEqualTo(200);
        assertThat(reviews).isEmpty();
    }

    CaEndpointsTest.Response sign(String csr, String token) {
        return CaEndpointsTest.send(CaEndpointsTest.tls(roots, null, null), "https://" + tlsAddress
                + "/v1/certificates", token, JSON.writeValueAsString(Map.of("csr", csr)));
    }

    static JsonObject user(String username, String... groups) {
        JsonObject user = new JsonObject();
        user.addProperty("username", username);
        JsonArray list = new JsonArray();
        for (String group : groups) {
            list.add(group);
        }
        user.add("groups", list);
        return user;
    }
}
