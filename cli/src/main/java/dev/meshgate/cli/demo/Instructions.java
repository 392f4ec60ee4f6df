package dev.meshgate.cli.demo;

/** What the demo prints once the mesh is up: the URLs and curl lines to try. */
final class Instructions {

    private Instructions() {
    }

    static String text(boolean prometheus) {
        int gw = DemoPlan.GATEWAY_HTTP_PORT;
        int client = DemoPlan.CLIENT_OUTBOUND_PORT;
        return """

                The mesh is up. Try:

                  # through the ingress gateway (Gateway web-gateway, port 80 -> 127.0.0.1:%1$d)
                  curl -H 'Host: web.example.com' http://127.0.0.1:%1$d/

                  # through the client's sidecar, as an app in the mesh would (http_proxy=127.0.0.1:%2$d)
                  curl -x 127.0.0.1:%2$d http://web/

                  # header routing: end-user jason always gets v2
                  curl -x 127.0.0.1:%2$d -H 'end-user: jason' http://web/

                  # the 90/10 canary between v1 and v2 (about 90 v1, 10 v2)
                  for i in $(seq 100); do curl -s -H 'Host: web.example.com' http://127.0.0.1:%1$d/; done | cut -d: -f1 | sort | uniq -c

                  # which proxy applied which config version
                  java -jar cli/target/meshctl.jar proxy-status

                  # traces of those requests (Zipkin; the MeshConfig in target/demo/mesh-config.yaml sends every
                  # proxy's spans there) and the mesh's metrics (Prometheus, finding every proxy through the
                  # control plane: %3$s/v1/prometheus/targets)
                  Zipkin:      %4$s
                  Prometheus:  %5$s
                  java -jar cli/target/meshctl.jar dashboard zipkin|prometheus --browser

                Edit samples/mesh/*.yaml (e.g. the weights in virtualservice.yaml): changes apply live.
                Control plane: %3$s/debug/proxies  Logs: target/demo/*.log
                Grafana dashboards for this Prometheus: dashboards/README.md
                Ctrl-C stops everything.
                """.formatted(gw, client, "http://127.0.0.1:" + DemoPlan.CONTROL_PLANE_PORT, DemoPlan.zipkinUrl(),
                prometheus ? DemoPlan.prometheusUrl() : "not running (see above why)");
    }
}
