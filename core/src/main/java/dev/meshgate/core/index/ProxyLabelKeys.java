package dev.meshgate.core.index;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.meshgate.core.registry.Locality;
import dev.meshgate.core.resource.IdentityMemo;
import dev.meshgate.core.resource.Resource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The proxy labels translation can read in one mesh: the keys of every selector of workloads in its resources
 * ({@code sourceLabels} of VirtualService matches, a Gateway's {@code selector}, {@code matchLabels} of the
 * DestinationRule, security and Telemetry selectors, {@code workloadSelector.labels}), the labels
 * {@code failoverPriority} names (in resources and MeshConfig), and the locality labels. Found by field name
 * anywhere in a resource, so that a selector of a kind added later counts without a change here; a label that is
 * no proxy's selector but is named so (DestinationRule subsets' {@code labels} are not) only makes views shared less.
 */
final class ProxyLabelKeys {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> SELECTORS = Set.of("sourceLabels", "matchLabels");
    /** Each resource spec's keys, found once per spec object: a rebuild after a one-file change walks that file's. */
    private static final IdentityMemo<Set<String>> SPEC_KEYS = new IdentityMemo<>(ProxyLabelKeys::keysOf);

    private ProxyLabelKeys() {
    }

    static Set<String> of(List<Resource<?>> resources, MeshSettings settings) {
        Set<String> keys = new TreeSet<>(List.of(Locality.LABEL, Locality.REGION_LABEL, Locality.ZONE_LABEL,
                Locality.SUBZONE_LABEL));
        for (Resource<?> resource : resources) {
            keys.addAll(ofSpec(resource.spec()));
        }
        collect(JSON.valueToTree(settings), keys);
        return Set.copyOf(keys);
    }

    /** The label keys one resource spec selects on; the same set for the same spec object. */
    static Set<String> ofSpec(Object spec) {
        return SPEC_KEYS.get(spec);
    }

    private static Set<String> keysOf(Object spec) {
        Set<String> keys = new TreeSet<>();
        collect(JSON.valueToTree(spec), keys);
        return Set.copyOf(keys);
    }

    private static void collect(JsonNode node, Set<String> keys) {
        if (node.isArray()) {
            for (JsonNode element : node) {
                collect(element, keys);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (SELECTORS.contains(name) || name.equals("selector")) {
                // a Gateway's selector is the map itself; the security kinds' holds matchLabels (found below)
                keys.addAll(value.propertyNames());
            } else if (name.equals("workloadSelector") && value.has("labels")) {
                keys.addAll(value.get("labels").propertyNames());
            } else if (name.equals("failoverPriority")) {
                for (JsonNode label : value) {
                    String text = label.asString();
                    int equals = text.indexOf('=');
                    keys.add(equals < 0 ? text : text.substring(0, equals));
                }
            }
            collect(value, keys);
        }
    }
}
