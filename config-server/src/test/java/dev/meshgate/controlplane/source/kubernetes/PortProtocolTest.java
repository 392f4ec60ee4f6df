package dev.meshgate.controlplane.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Istio's protocol selection for Service ports: L4 protocol, then appProtocol, then the port name's prefix. */
class PortProtocolTest {

    @ParameterizedTest(name = "port {0} name={1} protocol={2} appProtocol={3} -> {4}")
    @CsvSource(nullValues = "null", value = {
            "80, http, TCP, null, HTTP",
            "80, http-web, TCP, null, HTTP",
            "80, HTTP2-api, TCP, null, HTTP2",
            "80, grpc-web-ui, TCP, null, GRPC-WEB",
            "80, grpc, TCP, null, GRPC",
            "443, https-x, TCP, null, HTTPS",
            "443, tls, null, null, TLS",
            "6379, redis, TCP, null, REDIS",
            "80, web, TCP, null, ''",
            "80, null, TCP, null, ''",
            "3306, db, TCP, null, TCP",
            "53, dns, UDP, null, UDP",
            "80, tcp-raw, TCP, http, HTTP",
            "80, http, TCP, kubernetes.io/h2c, HTTP2",
            "80, web, TCP, kubernetes.io/ws, HTTP",
            "443, web, TCP, kubernetes.io/wss, HTTPS",
            "80, http, TCP, grpc, GRPC",
    })
    void selectsTheProtocolAsIstioDoes(int port, String name, String protocol, String appProtocol, String expected) {
        assertThat(PortProtocol.of(port, name, protocol, appProtocol)).isEqualTo(expected);
    }
}
