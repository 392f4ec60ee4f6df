package dev.meshgate.controlplane.ca;

import java.util.List;

import org.jspecify.annotations.Nullable;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthenticationV1Api;
import io.kubernetes.client.openapi.models.V1TokenReview;
import io.kubernetes.client.openapi.models.V1TokenReviewSpec;
import io.kubernetes.client.openapi.models.V1TokenReviewStatus;
import io.kubernetes.client.openapi.models.V1UserInfo;

/**
 * Kubernetes service-account tokens, checked by the API server with a TokenReview (authentication.k8s.io/v1), as
 * istiod's {@code KubeJWTAuthenticator} does: the review asks for the audience {@value #AUDIENCE} (the projected
 * token an injected pod mounts for the CA), and the token proves the namespace and service account of the
 * reviewed user {@code system:serviceaccount:<namespace>:<name>}, which must be in the group
 * {@code system:serviceaccounts}. A review that fails (API error, no RBAC for {@code tokenreviews create}), an error
 * in its status, or a token not authenticated proves nothing: no certificate.
 */
public final class KubernetesTokenAuthenticator implements TokenAuthenticator {

    /** istiod's audience for the tokens proxies show its CA. */
    public static final String AUDIENCE = "istio-ca";

    private static final String USER_PREFIX = "system:serviceaccount:";
    private static final String SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";

    private final AuthenticationV1Api api;
    private final List<String> audiences;

    public KubernetesTokenAuthenticator(ApiClient client) {
        this(client, List.of(AUDIENCE));
    }

    KubernetesTokenAuthenticator(ApiClient client, List<String> audiences) {
        this.api = new AuthenticationV1Api(client);
        this.audiences = List.copyOf(audiences);
    }

    /** A JWT: three base64url parts (a bootstrap token has two). */
    @Override
    public boolean recognizes(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first + 1 && token.indexOf('.', first + 1)
                == token.lastIndexOf('.');
    }

    @Override
    public Subject authenticate(String token) {
        V1TokenReview review;
        try {
            review = api.createTokenReview(new V1TokenReview().apiVersion("authentication.k8s.io/v1")
                    .kind("TokenReview").spec(new V1TokenReviewSpec().token(token).audiences(audiences))).execute();
        } catch (ApiException e) {
            throw refused("the TokenReview failed: " + (e.getCode() == 0 ? e.getClass().getSimpleName() + " "
                    + e.getMessage() : "HTTP " + e.getCode() + " " + firstLine(e.getResponseBody())));
        } catch (RuntimeException e) {
            throw refused("the TokenReview failed: " + e);
        }
        @Nullable V1TokenReviewStatus status = review == null ? null : review.getStatus();
        if (status == null) {
            throw refused("the TokenReview answered no status");
        }
        if (status.getError() != null && !status.getError().isEmpty()) {
            throw refused("the service account authentication returns an error: " + status.getError());
        }
        if (!Boolean.TRUE.equals(status.getAuthenticated())) {
            throw refused("the token is not authenticated (audience " + String.join(",", audiences) + ")");
        }
        V1UserInfo user = status.getUser();
        if (user == null || user.getGroups() == null || !user.getGroups().contains(SERVICE_ACCOUNTS_GROUP)) {
            throw refused("the token is not a service account's");
        }
        String name = user.getUsername() == null ? "" : user.getUsername();
        String[] parts = name.split(":", -1);
        if (!name.startsWith(USER_PREFIX) || parts.length != 4 || parts[2].isEmpty() || parts[3].isEmpty()) {
            throw refused("invalid username in the TokenReview: " + name
                    + " (expected: system:serviceaccount:<namespace>:<name>)");
        }
        return new Subject(parts[2], parts[3]);
    }

    private static MeshCa.Refusal refused(String reason) {
        return new MeshCa.Refusal(MeshCa.Refusal.Reason.UNAUTHENTICATED, reason);
    }

    private static String firstLine(@Nullable String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
