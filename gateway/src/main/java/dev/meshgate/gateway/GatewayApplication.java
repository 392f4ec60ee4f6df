package dev.meshgate.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;

import dev.meshgate.proxy.server.LeanProxyApplication;

/** The ingress or egress gateway. */
@SpringBootApplication
public class GatewayApplication {
    public static void main(String[] args) {
        LeanProxyApplication.run(GatewayApplication.class, args);
    }
}
