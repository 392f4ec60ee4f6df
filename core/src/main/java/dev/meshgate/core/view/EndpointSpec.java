package dev.meshgate.core.view;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * One destination of a cluster.
 *
 * @param address IP address or host name
 * @param port the port to connect to (the workload's sidecar inbound port in local mode)
 * @param labels the workload's labels: subsets select on them, and they reach the proxy for later policies
 * @param weight relative load-balancing weight, 1 by default
 * @param locality {@code region/zone/subzone}, when known
 * @param serviceAccount the workload's service account, when known
 * @param priority the endpoint's priority level for the proxy this view is for (Envoy's
 *     {@code LocalityLbEndpoints.priority}): 0 is preferred, traffic spills to 1, 2, ... as the levels above lose
 *     healthy endpoints. Computed per proxy from {@code localityLbSetting} failover; 0 (left out of the JSON)
 *     otherwise
 * @param localityWeight the weight of the endpoint's locality (Envoy's {@code LocalityLbEndpoints
 *     .load_balancing_weight}) under locality-weighted load balancing ({@code localityLbSetting.distribute}): a
 *     locality is picked by these weights, then an endpoint within it. 0 (left out of the JSON) when the cluster
 *     is not locality-weighted; every endpoint of a locality-weighted cluster has a weight of at least 1
 */
public record EndpointSpec(String address, int port, Map<String, String> labels, int weight,
        @Nullable String locality, @Nullable String serviceAccount,
        // Absent (0) in the JSON unless set, and in views from control planes that predate the fields.
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) @JsonSetter(nulls = Nulls.AS_EMPTY) int priority,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) @JsonSetter(nulls = Nulls.AS_EMPTY) int localityWeight) {

    public EndpointSpec {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** An endpoint at priority 0, without locality weight. */
    public EndpointSpec(String address, int port, Map<String, String> labels, int weight,
            @Nullable String locality, @Nullable String serviceAccount) {
        this(address, port, labels, weight, locality, serviceAccount, 0, 0);
    }

    /** This endpoint at {@code level} with {@code weightOfLocality}. */
    public EndpointSpec withPriority(int level, int weightOfLocality) {
        return new EndpointSpec(address, port, labels, weight, locality, serviceAccount, level, weightOfLocality);
    }
}
