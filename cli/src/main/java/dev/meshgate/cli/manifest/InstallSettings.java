package dev.meshgate.cli.manifest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.meshgate.cli.UsageException;
import dev.meshgate.core.inject.SidecarTemplate;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshConfigValidator;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * What an install renders: a profile and the {@code --set key=value} flags on top of it, in the IstioOperator's key
 * names where meshgate has the same setting (istioctl's {@code --set}). Any {@code meshConfig.*} key goes into the
 * MeshConfig of the {@code istio} ConfigMap, which is then read by the control plane's own MeshConfig validation:
 * its errors refuse the flags, its warnings (a field meshgate does not read) are returned for the user to see. A key
 * that maps to nothing here is refused, naming the keys that are accepted: an install silently ignoring a setting
 * would differ from what its user asked for.
 *
 * @param profile the profile the settings started from
 * @param revision the control plane's revision ({@code istio.io/rev}); empty: the default revision
 * @param hub the registry prefix of the images ({@code meshgate}: {@code meshgate/config-server})
 * @param tag the images' tag
 * @param pilotReplicas the control plane's replicas
 * @param ingressGateway whether the ingress gateway is installed
 * @param egressGateway whether the egress gateway is installed
 * @param samples whether the tutorial's resources are installed
 * @param meshConfig the MeshConfig of the revision's {@code istio} ConfigMap
 * @param caBundle base64 of the mesh root for the webhook configurations; empty: filled in by the control plane
 * @param warnings what the MeshConfig validation said that is not an error
 */
public record InstallSettings(InstallProfile profile, String revision, String hub, String tag, int pilotReplicas,
        boolean ingressGateway, boolean egressGateway, boolean samples, ObjectNode meshConfig, String caBundle,
        List<String> warnings) {

    /** The keys accepted besides {@code meshConfig.*}, as an IstioOperator spells them. */
    static final List<String> KEYS = List.of("profile", "revision", "hub", "tag", "values.pilot.replicaCount",
            "components.pilot.k8s.replicaCount", "values.pilot.traceSampling", "components.ingressGateways[0].enabled",
            "components.egressGateways[0].enabled");

    /** The MeshConfig as a person writes it: no document marker, strings unquoted where YAML allows. */
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER).build();
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?:\\[(\\d+)])?");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    public InstallSettings {
        warnings = List.copyOf(warnings);
    }

    /** The default profile with nothing set. */
    public static InstallSettings defaults() {
        return parse(List.of(), null);
    }

    /**
     * The settings of {@code sets} ({@code key=value} each, as given to {@code --set}); {@code profile} is applied
     * first wherever it is given, the others in order, a later one overriding an earlier one.
     *
     * @throws UsageException naming the key, the value and what was expected
     */
    public static InstallSettings parse(List<String> sets, @Nullable String caBundle) {
        InstallProfile profile = InstallProfile.DEFAULT;
        List<String[]> pairs = new ArrayList<>();
        for (String set : sets) {
            int equals = set.indexOf('=');
            if (equals <= 0) {
                throw new UsageException("--set " + set + ": expected key=value (e.g. --set profile=demo)");
            }
            String key = set.substring(0, equals);
            String value = set.substring(equals + 1);
            if (key.equals("profile")) {
                profile = profile(value);
            } else {
                pairs.add(new String[] {key, value});
            }
        }
        Builder builder = new Builder(profile);
        for (String[] pair : pairs) {
            builder.set(pair[0], pair[1]);
        }
        return builder.build(caBundle == null ? "" : caBundle);
    }

    private static InstallProfile profile(String value) {
        return Arrays.stream(InstallProfile.values()).filter(p -> p.profileName().equals(value)).findFirst()
                .orElseThrow(() -> new UsageException("--set profile=" + value + ": unknown profile (expected: one of "
                        + Arrays.stream(InstallProfile.values()).map(InstallProfile::profileName).toList() + ")"));
    }

    /** {@code base} with the revision's suffix, as Istio names a revision's objects ({@code istiod-canary}). */
    public String revisioned(String base) {
        return revision.isEmpty() ? base : base + "-" + revision;
    }

    /** The {@code istio.io/rev} value of this revision's objects ({@code default} for the default one). */
    public String revisionLabel() {
        return revision.isEmpty() ? "default" : revision;
    }

    /** The image of one of meshgate's apps. */
    public String image(String app) {
        return hub + "/" + app + ":" + tag;
    }

    /** The MeshConfig as the {@code mesh} key of the {@code istio} ConfigMap holds it. */
    public String meshConfigYaml() {
        return YAML.writeValueAsString(meshConfig);
    }

    private static final class Builder {

        private final InstallProfile profile;
        private String revision = "";
        private String hub = "meshgate";
        private String tag = SidecarTemplate.IMAGE_TAG;
        private int pilotReplicas = 2;
        private boolean ingressGateway;
        private boolean egressGateway;
        private final ObjectNode meshConfig;

        Builder(InstallProfile profile) {
            this.profile = profile;
            this.ingressGateway = profile.ingressGateway();
            this.egressGateway = profile.egressGateway();
            meshConfig = JsonNodeFactory.instance.objectNode();
            meshConfig.put("rootNamespace", InstallManifest.NAMESPACE).put("trustDomain", "cluster.local");
            if (!profile.meshConfig().isEmpty()) {
                meshConfig.setAll((ObjectNode) YAML.readTree(profile.meshConfig()));
            }
        }

        void set(String key, String value) {
            switch (key) {
                case "revision" -> {
                    if (!value.isEmpty() && (!DNS_LABEL.matcher(value).matches() || value.equals("default"))) {
                        throw new UsageException("--set revision=" + value + ": not a revision name (expected: a "
                                + "DNS-1123 label other than \"default\", e.g. canary or 1-24-0)");
                    }
                    revision = value;
                }
                case "hub" -> hub = nonEmpty(key, value).replaceAll("/+$", "");
                case "tag" -> tag = nonEmpty(key, value);
                case "values.pilot.replicaCount", "components.pilot.k8s.replicaCount" ->
                        pilotReplicas = positive(key, value);
                // Istio's pilot.traceSampling is the mesh default sampling percentage.
                case "values.pilot.traceSampling" -> set("meshConfig.defaultConfig.tracing.sampling", value);
                case "components.ingressGateways[0].enabled" -> ingressGateway = bool(key, value);
                case "components.egressGateways[0].enabled" -> egressGateway = bool(key, value);
                default -> {
                    if (!key.startsWith("meshConfig.")) {
                        throw new UsageException("--set " + key + ": unknown key (expected: " + String.join(", ", KEYS)
                                + " or meshConfig.<MeshConfig field>)");
                    }
                    setPath(key, meshConfig, key.substring("meshConfig.".length()).split("\\."), scalar(value));
                }
            }
        }

        InstallSettings build(String caBundle) {
            MeshConfigValidator.Result checked = MeshConfigValidator.read("--set meshConfig", meshConfigYamlOf());
            List<String> warnings = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (Diagnostic diagnostic : checked.diagnostics()) {
                (diagnostic.severity() == Diagnostic.Severity.ERROR ? errors : warnings).add(diagnostic.format());
            }
            if (!errors.isEmpty()) {
                throw new UsageException(String.join("\n", errors));
            }
            return new InstallSettings(profile, revision, hub, tag, pilotReplicas, ingressGateway, egressGateway,
                    profile.samples(), meshConfig, caBundle, warnings);
        }

        private String meshConfigYamlOf() {
            return YAML.writeValueAsString(meshConfig);
        }

        /** Sets {@code segments} ({@code defaultConfig}, {@code tracing}, {@code sampling}; {@code a[0]}) under node. */
        private static void setPath(String key, ObjectNode node, String[] segments, JsonNode value) {
            JsonNode current = node;
            for (int i = 0; i < segments.length; i++) {
                Matcher segment = SEGMENT.matcher(segments[i]);
                if (!segment.matches()) {
                    throw new UsageException("--set " + key + ": \"" + segments[i] + "\" is not a field name "
                            + "(expected: name or name[index], e.g. meshConfig.extensionProviders[0].name)");
                }
                boolean last = i == segments.length - 1;
                String field = segment.group(1);
                if (!(current instanceof ObjectNode object)) {
                    throw new UsageException("--set " + key + ": " + field + " is under a field that is not a map");
                }
                if (segment.group(2) == null) {
                    if (last) {
                        object.set(field, value);
                    } else {
                        current = object.get(field) instanceof ObjectNode child ? child : object.putObject(field);
                    }
                    continue;
                }
                ArrayNode array = object.get(field) instanceof ArrayNode existing ? existing : object.putArray(field);
                int index = Integer.parseInt(segment.group(2));
                if (index > array.size()) {
                    throw new UsageException("--set " + key + ": index " + index + " of " + field + " skips entries "
                            + "(it has " + array.size() + "; expected: at most " + array.size() + ")");
                }
                if (last) {
                    if (index == array.size()) {
                        array.add(value);
                    } else {
                        array.set(index, value);
                    }
                } else {
                    current = index < array.size() ? array.get(index) : array.addObject();
                }
            }
        }

        /** A value as istioctl's --set types it: true/false, a number, else a string. */
        private static JsonNode scalar(String value) {
            JsonNodeFactory nodes = JsonNodeFactory.instance;
            if (value.equals("true") || value.equals("false")) {
                return nodes.booleanNode(Boolean.parseBoolean(value));
            }
            if (NUMBER.matcher(value).matches()) {
                return value.contains(".") ? nodes.numberNode(Double.parseDouble(value))
                        : nodes.numberNode(Long.parseLong(value));
            }
            return nodes.stringNode(value);
        }

        private static String nonEmpty(String key, String value) {
            if (value.isBlank()) {
                throw new UsageException("--set " + key + "=: empty (expected: a value)");
            }
            return value;
        }

        private static int positive(String key, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new UsageException("--set " + key + "=" + value + ": (expected: an integer >= 1)");
        }

        private static boolean bool(String key, String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new UsageException("--set " + key + "=" + value + ": (expected: true or false)");
            };
        }
    }
}
