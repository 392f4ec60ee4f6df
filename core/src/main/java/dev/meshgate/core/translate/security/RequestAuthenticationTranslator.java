package dev.meshgate.core.translate.security;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.security.JwtRule;
import dev.meshgate.core.security.RequestAuthentication;
import dev.meshgate.core.view.AuthSpec.JwtRuleSpec;
import dev.meshgate.core.view.ProxyIdentity;

/**
 * Implements {@code RequestAuthentication.spec.jwtRules} for one proxy: the rules of every RequestAuthentication
 * selecting it (root namespace, its namespace, {@code selector.matchLabels}), combined as Istio combines them. Not
 * supported: {@code targetRef}, {@code targetRefs} (reported at validation).
 */
public final class RequestAuthenticationTranslator {

    private RequestAuthenticationTranslator() {
    }

    /** The jwtRules of {@code proxy}, in namespace/name order. */
    public static List<JwtRuleSpec> translate(MeshIndex index, ProxyIdentity proxy) {
        List<JwtRuleSpec> out = new ArrayList<>();
        for (Resource<RequestAuthentication> resource : index.requestAuthentications()) {
            if (PolicySelection.applies(resource, resource.spec().selector(), proxy,
                    index.settings().rootNamespace())) {
                for (JwtRule rule : resource.spec().jwtRules()) {
                    out.add(new JwtRuleSpec(resource.key(), rule));
                }
            }
        }
        return out;
    }
}
