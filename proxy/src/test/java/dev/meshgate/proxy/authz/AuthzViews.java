package dev.meshgate.proxy.authz;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.translate.security.AuthorizationPolicyTranslator;
import dev.meshgate.core.translate.security.RequestAuthenticationTranslator;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.core.yaml.ResourceReader;

/**
 * Views for the authorization socket tests: one listener forwarding every host to one backend, with the
 * {@link AuthSpec} that core's translation computes from Istio YAML for a proxy in namespace {@code foo} labelled
 * {@code app: web}.
 */
final class AuthzViews {

    static final ProxyIdentity PROXY = new ProxyIdentity("web-1", "foo", ProxyKind.SIDECAR,
            Map.of("app", "web"), "web");

    private AuthzViews() {
    }

    /** The auth of {@link #PROXY} from {@code yaml}, which must validate without errors. */
    static AuthSpec auth(String yaml, MeshSettings settings) {
        ResourceReader.ReadResult read = ResourceReader.read("policy.yaml", yaml);
        MeshValidator.ValidationResult validated = MeshValidator.validate(read.resources(), read.diagnostics());
        if (validated.hasErrors()) {
            throw new IllegalArgumentException(validated.diagnostics().stream().map(Diagnostic::format).toList()
                    .toString());
        }
        MeshIndex index = MeshIndex.of(validated.accepted(), settings);
        return new AuthSpec(AuthorizationPolicyTranslator.translate(index, PROXY),
                RequestAuthenticationTranslator.translate(index, PROXY));
    }

    static AuthSpec auth(String yaml) {
        return auth(yaml, MeshSettings.DEFAULT);
    }

    /**
     * A view whose listener {@code listener} (direction {@code direction}) forwards everything to the backend on
     * {@code backendPort}.
     */
    static ProxyView view(String version, String listener, ListenerSpec.Direction direction, int backendPort,
            AuthSpec auth) {
        String cluster = "inbound|" + backendPort + "||";
        RouteSpec route = new RouteSpec("r.0", null, List.of(), new RouteSpec.RouteAction(List.of(
                new RouteSpec.WeightedCluster(cluster, 100, null, null))), null, null, null, null, null);
        ListenerSpec spec = new ListenerSpec(listener, direction == ListenerSpec.Direction.GATEWAY ? 80 : 0,
                direction, List.of(new VirtualHostSpec("all", List.of("*"), List.of(route))));
        ClusterSpec clusterSpec = new ClusterSpec(cluster, cluster, backendPort, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", backendPort, Map.of(), 1, null, null)));
        return new ProxyView(version, "snap-" + version, List.of(spec), List.of(clusterSpec),
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY, null, null, null, auth);
    }
}
