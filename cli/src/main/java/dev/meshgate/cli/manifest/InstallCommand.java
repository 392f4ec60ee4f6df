package dev.meshgate.cli.manifest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.meshgate.cli.CommandException;
import dev.meshgate.cli.UsageException;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import io.kubernetes.client.util.generic.options.PatchOptions;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.node.ObjectNode;

/**
 * {@code meshctl install} and {@code meshctl uninstall}: {@link InstallManifest}'s objects applied to, or removed
 * from, a cluster through the official Kubernetes client, as {@code istioctl install}/{@code uninstall} do.
 *
 * <p>Install applies each object in the manifest's order (namespace, then the CRDs, then RBAC, the control plane and
 * the webhook configurations): an absent object is created, an existing one gets the manifest as a JSON merge patch
 * (field manager {@value #FIELD_MANAGER}): it takes the manifest's fields back and keeps those the cluster set (a
 * Service's clusterIP), so a second install changes nothing but drift. istioctl uses server-side apply instead, which
 * also drops fields a newer manifest no longer sets; a merge patch leaves them (the tests' mock API server refuses
 * server-side apply with 415, so that could not be tested here). It does not wait for the control plane
 * to become ready ({@code kubectl -n istio-system rollout status deployment/istiod} does).
 *
 * <p>Uninstall deletes in the reverse order, webhooks first, so that no pod creation is refused by a webhook whose
 * server is gone. The CRDs (deleting one deletes every resource of its kind) and the {@code istio-system} namespace
 * stay unless {@code --purge} is given, as istioctl keeps them without it.
 */
public final class InstallCommand {

    static final String FIELD_MANAGER = "meshctl";

    /** The plural and scope of each kind the install holds (the manifest's own kinds: no discovery needed). */
    private static final Map<String, Resource> RESOURCES = resources();

    private static Map<String, Resource> resources() {
        Map<String, Resource> resources = new java.util.HashMap<>(Map.ofEntries(
                Map.entry("Namespace", new Resource("namespaces", false)),
                Map.entry("CustomResourceDefinition", new Resource("customresourcedefinitions", false)),
                Map.entry("ServiceAccount", new Resource("serviceaccounts", true)),
                Map.entry("ClusterRole", new Resource("clusterroles", false)),
                Map.entry("ClusterRoleBinding", new Resource("clusterrolebindings", false)),
                Map.entry("Role", new Resource("roles", true)),
                Map.entry("RoleBinding", new Resource("rolebindings", true)),
                Map.entry("ConfigMap", new Resource("configmaps", true)),
                Map.entry("Secret", new Resource("secrets", true)),
                Map.entry("Deployment", new Resource("deployments", true)),
                Map.entry("Service", new Resource("services", true)),
                Map.entry("PodDisruptionBudget", new Resource("poddisruptionbudgets", true)),
                Map.entry("HorizontalPodAutoscaler", new Resource("horizontalpodautoscalers", true)),
                Map.entry("ValidatingWebhookConfiguration", new Resource("validatingwebhookconfigurations", false)),
                Map.entry("MutatingWebhookConfiguration", new Resource("mutatingwebhookconfigurations", false))));
        // The demo profile's tutorial resources.
        for (dev.meshgate.core.resource.Kind kind : dev.meshgate.core.resource.Kind.values()) {
            resources.put(kind.name(), new Resource(kind.plural(), true));
        }
        return Map.copyOf(resources);
    }

    private record Resource(String plural, boolean namespaced) {
    }

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    public InstallCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** {@code install [--set key=value]... [--ca-cert root-cert.pem] [--kubeconfig FILE] [--context NAME] [-y]}. */
    public int install(List<String> args) {
        Options options = Options.parse("install", args, false);
        InstallSettings settings = InstallSettings.parse(options.sets, options.caCert == null ? null
                : ManifestCommand.caBundle(options.caCert));
        settings.warnings().forEach(w -> err.println("meshctl install: " + w));
        List<ObjectNode> objects = new ArrayList<>(InstallManifest.objects(settings));
        if (options.caCert == null) {
            // The replicas share one CA through the cacerts Secret: made here when there is none, as istiod makes
            // its istio-ca-secret; an existing one (a plug-in CA, an earlier install) is kept.
            objects.add(1, MeshCaSecret.generate());
        }
        ApiClient client = client(options.kubeconfig, options.context);
        confirm(options, "This will install meshgate (" + objects.size() + " objects) into the cluster at "
                + client.getBasePath());
        PatchOptions apply = new PatchOptions().fieldManager(FIELD_MANAGER);
        for (ObjectNode object : objects) {
            DynamicKubernetesObject body = dynamic(object);
            String namespace = body.getMetadata().getNamespace();
            KubernetesApiResponse<DynamicKubernetesObject> response = call(client, () -> {
                DynamicKubernetesApi api = api(client, body);
                KubernetesApiResponse<DynamicKubernetesObject> created = api.create(body);
                if (created.getHttpStatusCode() != 409 || MeshCaSecret.is(object)) {
                    return created;
                }
                V1Patch patch = new V1Patch(object.toString());
                return namespace == null
                        ? api.patch(body.getMetadata().getName(), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, patch, apply)
                        : api.patch(namespace, body.getMetadata().getName(), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                                patch, apply);
            });
            if (response.getHttpStatusCode() == 409) {
                // Only the generated cacerts Secret gets here: an existing CA is never replaced.
                out.println(describe(body) + " kept (it exists)");
                continue;
            }
            if (!response.isSuccess()) {
                throw new CommandException("apply " + describe(body) + ": HTTP " + response.getHttpStatusCode() + " "
                        + message(response) + " (" + objects.indexOf(object) + " of " + objects.size()
                        + " objects applied; install again once fixed)");
            }
            out.println(describe(body) + " applied");
        }
        out.println("meshgate installed: " + objects.size() + " objects applied; the control plane is ready when "
                + "`kubectl -n " + InstallManifest.NAMESPACE + " rollout status deployment/"
                + settings.revisioned(InstallManifest.CONTROL_PLANE) + "` says so");
        return 0;
    }

    /** {@code uninstall [--set revision=R] [--set profile=demo] [--purge] [--kubeconfig FILE] [--context NAME] [-y]}. */
    public int uninstall(List<String> args) {
        Options options = Options.parse("uninstall", args, true);
        // Every object an install of this revision may have made, whichever gateways it had; the tutorial's
        // resources only when the demo profile is named.
        List<String> sets = new ArrayList<>(options.sets);
        sets.add("components.ingressGateways[0].enabled=true");
        sets.add("components.egressGateways[0].enabled=true");
        List<ObjectNode> objects = new ArrayList<>(InstallManifest.objects(InstallSettings.parse(sets, null)));
        if (options.purge) {
            objects.add(1, MeshCaSecret.reference());
        } else {
            objects.removeAll(InstallManifest.shared());
        }
        java.util.Collections.reverse(objects);
        // Webhooks first: no pod creation may be refused by a webhook whose server is already gone.
        objects.sort(java.util.Comparator.comparing(o -> !o.path("kind").asString("").endsWith("WebhookConfiguration")));
        ApiClient client = client(options.kubeconfig, options.context);
        confirm(options, "This will remove meshgate from the cluster at " + client.getBasePath()
                + (options.purge ? ", with its CRDs (and every Istio resource in the cluster) and the "
                        + InstallManifest.NAMESPACE + " namespace" : " (CRDs and the istio-system namespace stay: "
                        + "--purge removes them)"));
        DeleteOptions delete = new DeleteOptions();
        delete.setPropagationPolicy("Background");
        int deleted = 0;
        for (ObjectNode object : objects) {
            DynamicKubernetesObject body = dynamic(object);
            String namespace = body.getMetadata().getNamespace();
            String name = body.getMetadata().getName();
            KubernetesApiResponse<DynamicKubernetesObject> response = call(client, () -> {
                DynamicKubernetesApi api = api(client, body);
                return namespace == null ? api.delete(name, delete) : api.delete(namespace, name, delete);
            });
            if (response.getHttpStatusCode() == 404) {
                continue;
            }
            if (!response.isSuccess()) {
                throw new CommandException("delete " + describe(body) + ": HTTP " + response.getHttpStatusCode() + " "
                        + message(response));
            }
            deleted++;
            out.println(describe(body) + " deleted");
        }
        out.println("meshgate uninstalled: " + deleted + " objects deleted" + (options.purge ? ""
                : "; the CRDs and the " + InstallManifest.NAMESPACE + " namespace were kept (--purge removes them)"));
        return 0;
    }

    private void confirm(Options options, String what) {
        if (options.skipConfirmation) {
            return;
        }
        out.print(what + ". Proceed? (y/N) ");
        out.flush();
        String answer;
        try {
            answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new CommandException("cannot read the confirmation: " + e);
        }
        out.println();
        if (answer == null || !List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT))) {
            throw new CommandException("cancelled: nothing was changed (-y skips this question)");
        }
    }

    /**
     * The client of {@code --kubeconfig} (else the first file of {@code $KUBECONFIG}, else {@code ~/.kube/config}),
     * at {@code --context} or the file's current context; in a pod with no kubeconfig, its service account.
     */
    static ApiClient client(@Nullable Path kubeconfig, @Nullable String context) {
        Path file = kubeconfig != null ? kubeconfig : defaultKubeconfig();
        try {
            if (file == null) {
                if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
                    return ClientBuilder.cluster().build();
                }
                throw new CommandException("no kubeconfig: give --kubeconfig FILE, set KUBECONFIG, or create "
                        + "~/.kube/config");
            }
            KubeConfig config;
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                config = KubeConfig.loadKubeConfig(reader);
            }
            config.setFile(file.toFile());
            if (context != null && !config.setContext(context)) {
                throw new CommandException("--context " + context + ": no such context in " + file);
            }
            return ClientBuilder.kubeconfig(config).build();
        } catch (IOException | RuntimeException e) {
            if (e instanceof CommandException command) {
                throw command;
            }
            throw new CommandException("cannot use the kubeconfig " + file + ": " + e);
        }
    }

    private static @Nullable Path defaultKubeconfig() {
        String variable = System.getenv("KUBECONFIG");
        if (variable != null) {
            for (String entry : variable.split(java.io.File.pathSeparator)) {
                if (!entry.isBlank() && Files.isRegularFile(Path.of(entry))) {
                    return Path.of(entry);
                }
            }
        }
        Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
        return Files.isRegularFile(home) ? home : null;
    }

    private static KubernetesApiResponse<DynamicKubernetesObject> call(ApiClient client,
            java.util.function.Supplier<KubernetesApiResponse<DynamicKubernetesObject>> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            if (e.getCause() instanceof io.kubernetes.client.openapi.ApiException api && api.getCode() > 0) {
                // An error answer the client could not parse (an empty 404 body): the status is what counts.
                return new KubernetesApiResponse<>(new io.kubernetes.client.openapi.models.V1Status()
                        .message(api.getMessage()), api.getCode());
            }
            // The generic API turns HTTP errors into responses; what is thrown is the connection's failure.
            throw new CommandException("cannot reach the API server at " + client.getBasePath() + ": " + e);
        }
    }

    private static DynamicKubernetesApi api(ApiClient client, DynamicKubernetesObject object) {
        String apiVersion = object.getApiVersion();
        int slash = apiVersion.indexOf('/');
        Resource resource = RESOURCES.get(object.getKind());
        if (resource == null) {
            throw new IllegalStateException("kind: " + object.getKind() + " (expected: one of " + RESOURCES.keySet()
                    + ")");
        }
        return new DynamicKubernetesApi(slash < 0 ? "" : apiVersion.substring(0, slash),
                apiVersion.substring(slash + 1), resource.plural(), client);
    }

    private static DynamicKubernetesObject dynamic(ObjectNode object) {
        return new DynamicKubernetesObject(com.google.gson.JsonParser.parseString(object.toString())
                .getAsJsonObject());
    }

    private static String describe(DynamicKubernetesObject object) {
        String namespace = object.getMetadata().getNamespace();
        return object.getKind().toLowerCase(Locale.ROOT) + "/" + object.getMetadata().getName()
                + (namespace == null ? "" : " -n " + namespace);
    }

    private static String message(KubernetesApiResponse<?> response) {
        return response.getStatus() == null || response.getStatus().getMessage() == null ? ""
                : response.getStatus().getMessage();
    }

    private record Options(List<String> sets, @Nullable Path caCert, @Nullable Path kubeconfig,
            @Nullable String context, boolean skipConfirmation, boolean purge) {

        static Options parse(String command, List<String> args, boolean uninstall) {
            List<String> sets = new ArrayList<>();
            Path caCert = null;
            Path kubeconfig = null;
            String context = null;
            boolean yes = false;
            boolean purge = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                boolean hasValue = i + 1 < args.size();
                if (arg.equals("--set") && hasValue) {
                    sets.add(args.get(++i));
                } else if (arg.startsWith("--set=")) {
                    sets.add(arg.substring("--set=".length()));
                } else if (arg.equals("--ca-cert") && hasValue && !uninstall) {
                    caCert = Path.of(args.get(++i));
                } else if (arg.equals("--kubeconfig") && hasValue) {
                    kubeconfig = Path.of(args.get(++i));
                } else if (arg.equals("--context") && hasValue) {
                    context = args.get(++i);
                } else if (arg.equals("-y") || arg.equals("--skip-confirmation")) {
                    yes = true;
                } else if (arg.equals("--purge") && uninstall) {
                    purge = true;
                } else {
                    throw new UsageException(command + ": unknown argument: " + arg + " (expected: "
                            + "--set key=value, " + (uninstall ? "--purge" : "--ca-cert root-cert.pem")
                            + ", --kubeconfig FILE, --context NAME, -y)");
                }
            }
            return new Options(sets, caCert, kubeconfig, context, yes, purge);
        }
    }
}
