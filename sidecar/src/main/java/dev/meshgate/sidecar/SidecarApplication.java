package dev.meshgate.sidecar;

import org.springframework.boot.autoconfigure.SpringBootApplication;

import dev.meshgate.proxy.server.LeanProxyApplication;

/** The sidecar proxy beside one workload. */
@SpringBootApplication
public class SidecarApplication {
    public static void main(String[] args) {
        LeanProxyApplication.run(SidecarApplication.class, args);
    }
}
