package dev.meshgate.cli.manifest;

import static dev.meshgate.cli.manifest.InstallManifest.yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.node.ObjectNode;

/**
 * The demo profile's tutorial (docs/demo.md on a cluster): the {@code web} app of the samples jar in two versions
 * behind the Service {@code web} in {@code default}, its pods labelled for injection by the installed revision, and
 * the tutorial's Gateway, VirtualService and DestinationRule as {@code samples/mesh/} holds them (the local demo's
 * ServiceEntry and WorkloadEntries are what the Service and its pods replace here).
 */
final class SamplesManifest {

    private static final List<String> ISTIO_RESOURCES = List.of("gateway.yaml", "virtualservice.yaml",
            "destinationrule.yaml");

    private SamplesManifest() {
    }

    static List<ObjectNode> objects(InstallSettings settings) {
        List<ObjectNode> objects = new ArrayList<>();
        objects.add(yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default, labels: {app: web}}
                spec:
                  selector: {app: web}
                  ports:
                  - {name: http, port: 80, targetPort: 8080, protocol: TCP}
                """));
        for (String version : List.of("v1", "v2")) {
            ObjectNode deployment = yaml("""
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {namespace: default}
                    spec:
                      replicas: 1
                      template:
                        spec:
                          containers:
                          - name: web
                            ports:
                            - {containerPort: 8080, name: http, protocol: TCP}
                            readinessProbe:
                              httpGet: {path: /, port: 8080}
                    """);
            ObjectNode labels = InstallManifest.YAML.createObjectNode().put("app", "web").put("version", version);
            ObjectNode metadata = (ObjectNode) deployment.get("metadata");
            metadata.put("name", "web-" + version).set("labels", labels);
            ObjectNode spec = (ObjectNode) deployment.get("spec");
            spec.putObject("selector").set("matchLabels", labels);
            ObjectNode podLabels = labels.deepCopy();
            // Injected wherever it lands: the default revision's object selector, or a revision's istio.io/rev.
            if (settings.revision().isEmpty()) {
                podLabels.put("sidecar.istio.io/inject", "true");
            } else {
                podLabels.put("istio.io/rev", settings.revision());
            }
            ((ObjectNode) spec.get("template")).putObject("metadata").set("labels", podLabels);
            ObjectNode container = (ObjectNode) spec.at("/template/spec/containers/0");
            container.put("image", settings.image("samples"));
            container.putArray("args").add("web").add("--port").add("8080").add("--version").add(version)
                    .add("--bind").add("0.0.0.0");
            objects.add(deployment);
        }
        for (String file : ISTIO_RESOURCES) {
            objects.add(yaml(resource("samples/mesh/" + file)));
        }
        return objects;
    }

    private static String resource(String path) {
        try (InputStream in = SamplesManifest.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + ": not on the class path (the cli build copies samples/mesh)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
