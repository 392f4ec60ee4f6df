package dev.meshgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.networking.gateway.Gateway;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshConfigValidator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.proxy.route.RouteDecision;
import dev.meshgate.proxy.route.Simulator;
import dev.meshgate.proxy.route.ViewRejectedException;

/**
 * {@code meshctl simulate --config DIR [--mesh-config FILE] --proxy NAME.NAMESPACE [--labels k=v,...] [-X METHOD]
 * [-H 'k: v']... URL}: where the proxy would send the request and why, offline. The directory is read and validated
 * as the control plane would (invalid resources are left out), the MeshConfig file read as the control plane reads
 * its {@code --meshgate.control-plane.mesh-config} (an invalid one is reported and the defaults stay, as a control
 * plane starting with it keeps them), the proxy's view is translated and compiled by the proxy's own route table
 * ({@link Simulator}), and the request is looked up in it; nothing is started or sent. The report lists each
 * {@code http[i]} entry the request went through ({@link HttpRouteTrace}), with the file and line it was written on.
 *
 * <p>The proxy is a gateway when a label {@code istio} is among its labels (Istio's
 * {@code istio=ingressgateway|egressgateway}) or when a Gateway with a non-empty selector selects its labels;
 * otherwise a sidecar.
 */
final class SimulateCommand {

    private final PrintStream out;

    SimulateCommand(PrintStream out) {
        this.out = out;
    }

    /** The command line, parsed. */
    record Options(Path config, String proxyName, String namespace, Map<String, String> labels, String method,
            List<Map.Entry<String, String>> headers, URI url, OutputFormat format, @Nullable Path meshConfig) {
    }

    int run(List<String> args) {
        Options options = parse(args);
        Report report = simulate(options);
        if (options.format() == OutputFormat.TEXT) {
            SimulationReport.print(report, out);
        } else {
            options.format().write(report, out);
        }
        return 0;
    }

    static Options parse(List<String> args) {
        Path config = null;
        String proxy = null;
        Map<String, String> labels = new TreeMap<>();
        String method = "GET";
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String url = null;
        OutputFormat format = OutputFormat.TEXT;
        Path meshConfig = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--config" -> config = Path.of(value(args, i++));
                case "--mesh-config" -> meshConfig = Path.of(value(args, i++));
                case "--proxy" -> proxy = value(args, i++);
                case "--labels" -> labels.putAll(labels(value(args, i++)));
                case "-X", "--request" -> method = value(args, i++);
                case "-H", "--header" -> headers.add(header(value(args, i++)));
                case "-o", "--output" -> format = OutputFormat.parse(value(args, i++));
                default -> {
                    if (arg.startsWith("-")) {
                        throw new UsageException("simulate: unknown option: " + arg);
                    }
                    if (url != null) {
                        throw new UsageException("simulate takes one URL (got: " + url + " and " + arg + ")");
                    }
                    url = arg;
                }
            }
        }
        if (config == null || proxy == null || url == null) {
            throw new UsageException("simulate needs --config DIR, --proxy NAME.NAMESPACE and a URL");
        }
        if (!Files.isDirectory(config)) {
            throw new UsageException("simulate: --config: not a directory: " + config);
        }
        if (meshConfig != null && !Files.isRegularFile(meshConfig)) {
            throw new UsageException("simulate: --mesh-config: not a file: " + meshConfig);
        }
        int dot = proxy.lastIndexOf('.');
        if (dot <= 0 || dot == proxy.length() - 1) {
            throw new UsageException("--proxy: " + proxy + " (expected: NAME.NAMESPACE)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new UsageException("URL: " + url + " (expected: an absolute URL such as http://reviews:9080/path)");
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null) {
            throw new UsageException("URL: " + url + " (expected: an absolute URL such as http://reviews:9080/path)");
        }
        return new Options(config, proxy.substring(0, dot), proxy.substring(dot + 1), labels, method, headers, uri,
                format, meshConfig);
    }

    private static String value(List<String> args, int i) {
        if (i + 1 >= args.size()) {
            throw new UsageException(args.get(i) + ": missing value");
        }
        return args.get(i + 1);
    }

    private static Map<String, String> labels(String value) {
        Map<String, String> labels = new TreeMap<>();
        for (String pair : value.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--labels: " + value + " (expected: k=v,k=v)");
            }
            labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return labels;
    }

    private static Map.Entry<String, String> header(String value) {
        int colon = value.indexOf(':');
        if (colon <= 0) {
            throw new UsageException("-H: " + value + " (expected: 'name: value')");
        }
        return Map.entry(value.substring(0, colon).trim(), value.substring(colon + 1).trim());
    }

    /**
     * Everything {@code simulate} prints, and its {@code -o json|yaml} document.
     *
     * @param config the directory read, and how many resources, errors and warnings it has
     * @param proxy the proxy as simulated (kind derived from its labels)
     * @param mesh the MeshConfig file, when one was given
     * @param decision the proxy's decision
     * @param virtualService where the matched route was written, when a VirtualService's route matched
     * @param trace every {@code http[i]} entry the request went through, in order
     */
    record Report(ConfigSummary config, @Nullable MeshSummary mesh, ProxyIdentity proxy, RequestLine request,
            RouteDecision decision, @Nullable Origin virtualService, List<HttpRouteTrace.Entry> trace) {
    }

    /**
     * The MeshConfig file and its diagnostics; {@code applied} false when an error kept it from applying (the
     * defaults stay, as a control plane started with that file keeps them).
     */
    record MeshSummary(String file, boolean applied, List<String> diagnostics) {
    }

    /** The config directory and its diagnostics' counts; invalid resources were left out, as by the control plane. */
    record ConfigSummary(String directory, int resources, long errors, long warnings) {
    }

    /** The request simulated. */
    record RequestLine(String method, String url, Map<String, String> headers) {
    }

    /**
     * A route's VirtualService: {@code namespace/name}, its {@code http[]} index and name, its source (where the
     * resource starts) and where its {@code http[i]} entry was written ({@code file:line}).
     */
    record Origin(String namespace, String name, int httpIndex, @Nullable String httpName, @Nullable String source,
            @Nullable String httpSource) {
    }

    /** The view the control plane would push to the proxy of {@code options}. */
    static ProxyView view(Options options) {
        ResourceReader.ReadResult read = AnalyzeCommand.read(AnalyzeCommand.directory(options.config()),
                InputStream.nullInputStream());
        MeshValidator.ValidationResult validation = MeshValidator.validate(read.resources(), read.diagnostics());
        return ProxyViewTranslator.translate(MeshIndex.of(validation.accepted(), settings(options, null)),
                identity(options, validation.accepted()));
    }

    private static ProxyIdentity identity(Options options, List<Resource<?>> accepted) {
        return new ProxyIdentity(options.proxyName(), options.namespace(), kindOf(options.labels(), accepted),
                options.labels(), null);
    }

    /**
     * The mesh-wide settings: the control plane's defaults, with the MeshConfig file applied when one is given
     * and valid ({@link MeshSettings#with}, as the control plane applies it); its diagnostics go to {@code mesh}.
     */
    private static MeshSettings settings(Options options, MeshSummary @Nullable [] mesh) {
        Path file = options.meshConfig();
        if (file == null) {
            return MeshSettings.DEFAULT;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new CommandException("cannot read " + file + ": " + e.getMessage());
        }
        MeshConfigValidator.Result result = MeshConfigValidator.read(file.toString(), text);
        if (mesh != null) {
            mesh[0] = new MeshSummary(file.toString(), result.meshConfig() != null,
                    result.diagnostics().stream().map(Diagnostic::format).toList());
        }
        return result.meshConfig() == null ? MeshSettings.DEFAULT : MeshSettings.DEFAULT.with(result.meshConfig());
    }

    static Report simulate(Options options) {
        ResourceReader.ReadResult read = AnalyzeCommand.read(AnalyzeCommand.directory(options.config()),
                InputStream.nullInputStream());
        MeshValidator.ValidationResult validation = MeshValidator.validate(read.resources(), read.diagnostics());
        long errors = validation.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        ConfigSummary summary = new ConfigSummary(options.config().toString(), read.resources().size(), errors,
                validation.diagnostics().size() - errors);
        MeshSummary[] mesh = new MeshSummary[1];
        MeshIndex index = MeshIndex.of(validation.accepted(), settings(options, mesh));
        ProxyIdentity proxy = identity(options, validation.accepted());
        ProxyView view = ProxyViewTranslator.translate(index, proxy);
        Simulator simulator;
        try {
            simulator = Simulator.of(view);
        } catch (ViewRejectedException e) {
            throw new CommandException("the proxy would reject (NACK) its view: " + e.reason());
        }
        Simulator.Request request = new Simulator.Request(options.method(), options.url(), options.headers());
        RouteDecision decision = simulator.simulate(request);
        Map<String, String> headers = new LinkedHashMap<>();
        options.headers().forEach(h -> headers.merge(h.getKey(), h.getValue(), (a, b) -> a + "," + b));
        List<HttpRouteTrace.Entry> trace = HttpRouteTrace.of(decision, view, validation.accepted());
        Origin origin = null;
        for (HttpRouteTrace.Entry entry : trace) {
            if (entry.verdict() == HttpRouteTrace.Verdict.MATCHED) {
                origin = entry.virtualService();
            }
        }
        return new Report(summary, mesh[0], proxy, new RequestLine(options.method(), options.url().toString(),
                headers), decision, origin, trace);
    }

    /** Istio's gateway workloads carry the label {@code istio}; any workload a Gateway selects is one too. */
    static ProxyKind kindOf(Map<String, String> labels, List<Resource<?>> resources) {
        if (labels.containsKey("istio")) {
            return ProxyKind.GATEWAY;
        }
        for (Resource<?> resource : resources) {
            if (resource.kind() == Kind.Gateway && resource.spec() instanceof Gateway gateway
                    && !gateway.selector().isEmpty()
                    && labels.entrySet().containsAll(gateway.selector().entrySet())) {
                return ProxyKind.GATEWAY;
            }
        }
        return ProxyKind.SIDECAR;
    }

    static String labelsText(Map<String, String> labels) {
        StringJoiner joiner = new StringJoiner(",");
        new TreeMap<>(labels).forEach((k, v) -> joiner.add(k + "=" + v));
        return joiner.toString();
    }
}
