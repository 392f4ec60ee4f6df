package dev.meshgate.proxy.telemetry;

import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

/**
 * Istio's peer metadata exchange encoding: the {@code x-envoy-peer-metadata} header is the base64 of a serialized
 * {@code google.protobuf.Struct} with the node metadata keys of Istio's proxies ({@code NAME}, {@code NAMESPACE},
 * {@code LABELS}, {@code WORKLOAD_NAME}, {@code OWNER}, {@code CLUSTER_ID}, {@code MESH_ID},
 * {@code SERVICE_ACCOUNT}, {@code APP_CONTAINERS}); {@code x-envoy-peer-metadata-id} is the node id
 * ({@code sidecar~<ip>~<name>.<namespace>~<namespace>.svc.cluster.local}). A meshgate proxy and an Istio proxy
 * read each other's headers.
 *
 * <p>Decoding is cached by the header value (a peer sends the same value on every request), bounded: a peer that
 * varies it cannot grow the cache without limit. A value that does not decode is an unknown peer, never an error.
 */
public final class PeerMetadata {

    public static final String ID_HEADER = "x-envoy-peer-metadata-id";
    public static final String HEADER = "x-envoy-peer-metadata";

    static final int CACHE_LIMIT = 1024;

    private final Map<String, WorkloadLabels> decoded = new ConcurrentHashMap<>();

    /**
     * The header value describing a workload, as an Istio proxy encodes its own node metadata.
     *
     * @param labels the workload's labels (LABELS)
     */
    public static String encode(String name, String namespace, String workloadName, Map<String, String> labels,
            String clusterId, String meshId, @Nullable String serviceAccount) {
        Struct.Builder labelStruct = Struct.newBuilder();
        new TreeMap<>(labels).forEach((k, v) -> labelStruct.putFields(k, string(v)));
        Struct.Builder struct = Struct.newBuilder()
                .putFields("NAME", string(name))
                .putFields("NAMESPACE", string(namespace))
                .putFields("LABELS", Value.newBuilder().setStructValue(labelStruct).build())
                .putFields("WORKLOAD_NAME", string(workloadName))
                .putFields("OWNER", string("kubernetes://apis/apps/v1/namespaces/" + namespace + "/deployments/"
                        + workloadName))
                .putFields("CLUSTER_ID", string(clusterId))
                .putFields("MESH_ID", string(meshId));
        if (serviceAccount != null) {
            struct.putFields("SERVICE_ACCOUNT", string(serviceAccount));
        }
        return Base64.getEncoder().encodeToString(struct.build().toByteArray());
    }

    /** Istio's node id of a sidecar ({@code sidecar~...}) or gateway ({@code router~...}). */
    public static String nodeId(boolean gateway, String name, String namespace) {
        return (gateway ? "router" : "sidecar") + "~127.0.0.1~" + name + "." + namespace + "~" + namespace
                + ".svc.cluster.local";
    }

    /** The peer a header value describes; {@link WorkloadLabels#UNKNOWN} when absent or not decodable. */
    public WorkloadLabels decode(@Nullable String header) {
        if (header == null || header.isEmpty()) {
            return WorkloadLabels.UNKNOWN;
        }
        WorkloadLabels peer = decoded.get(header);
        if (peer != null) {
            return peer;
        }
        peer = parse(header);
        if (decoded.size() >= CACHE_LIMIT) {
            decoded.clear();
        }
        decoded.put(header, peer);
        return peer;
    }

    static WorkloadLabels parse(String header) {
        Struct struct;
        try {
            struct = Struct.parseFrom(Base64.getDecoder().decode(header.trim()));
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            return WorkloadLabels.UNKNOWN;
        }
        Map<String, String> labels = new TreeMap<>();
        Value labelValue = struct.getFieldsMap().get("LABELS");
        if (labelValue != null && labelValue.hasStructValue()) {
            labelValue.getStructValue().getFieldsMap().forEach((k, v) -> {
                if (v.hasStringValue()) {
                    labels.put(k, v.getStringValue());
                }
            });
        }
        String workload = text(struct, "WORKLOAD_NAME");
        if (workload == null) {
            workload = text(struct, "NAME");
        }
        return WorkloadLabels.of(workload, text(struct, "NAMESPACE"), labels, text(struct, "CLUSTER_ID"));
    }

    private static @Nullable String text(Struct struct, String key) {
        Value value = struct.getFieldsMap().get(key);
        return value != null && value.hasStringValue() && !value.getStringValue().isEmpty() ? value.getStringValue()
                : null;
    }

    private static Value string(String value) {
        return Value.newBuilder().setStringValue(value).build();
    }
}
