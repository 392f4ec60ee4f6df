package dev.meshgate.core.mesh;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.SubstitutionFormat;
import dev.meshgate.core.networking.SubstitutionFormat.Part;

/**
 * MeshConfig's access-log formats: Istio's defaults, and the parse of a custom one by Envoy's substitution format
 * ({@link SubstitutionFormat}), which validation and the proxy share.
 */
public final class AccessLogFormat {

    /** Istio's default text format (Envoy's default with the details Istio adds), one line. */
    public static final String ISTIO_TEXT = "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% "
            + "%PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "
            + "\"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
            + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
            + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER% "
            + "%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% "
            + "%REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

    /** Istio's default JSON keys and their operators, in Istio's order. */
    public static final Map<String, String> ISTIO_JSON = istioJson();

    private AccessLogFormat() {
    }

    /**
     * The parts of {@code format}.
     *
     * @throws IllegalArgumentException naming the command meshgate does not know or cannot parse
     */
    public static List<Part> parse(String format) {
        return SubstitutionFormat.parse(format, SubstitutionFormat.ACCESS_LOG_OPERATORS);
    }

    private static Map<String, String> istioJson() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("start_time", "%START_TIME%");
        m.put("route_name", "%ROUTE_NAME%");
        m.put("method", "%REQ(:METHOD)%");
        m.put("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%");
        m.put("protocol", "%PROTOCOL%");
        m.put("response_code", "%RESPONSE_CODE%");
        m.put("response_flags", "%RESPONSE_FLAGS%");
        m.put("response_code_details", "%RESPONSE_CODE_DETAILS%");
        m.put("connection_termination_details", "%CONNECTION_TERMINATION_DETAILS%");
        m.put("bytes_received", "%BYTES_RECEIVED%");
        m.put("bytes_sent", "%BYTES_SENT%");
        m.put("duration", "%DURATION%");
        m.put("upstream_service_time", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%");
        m.put("x_forwarded_for", "%REQ(X-FORWARDED-FOR)%");
        m.put("user_agent", "%REQ(USER-AGENT)%");
        m.put("request_id", "%REQ(X-REQUEST-ID)%");
        m.put("authority", "%REQ(:AUTHORITY)%");
        m.put("upstream_host", "%UPSTREAM_HOST%");
        m.put("upstream_cluster", "%UPSTREAM_CLUSTER%");
        m.put("upstream_local_address", "%UPSTREAM_LOCAL_ADDRESS%");
        m.put("downstream_local_address", "%DOWNSTREAM_LOCAL_ADDRESS%");
        m.put("downstream_remote_address", "%DOWNSTREAM_REMOTE_ADDRESS%");
        m.put("requested_server_name", "%REQUESTED_SERVER_NAME%");
        m.put("upstream_transport_failure_reason", "%UPSTREAM_TRANSPORT_FAILURE_REASON%");
        return java.util.Collections.unmodifiableMap(m);
    }
}
