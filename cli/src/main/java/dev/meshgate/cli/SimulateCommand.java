package dev.meshgate.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
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
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.proxy.route.RouteDecision;
import dev.meshgate.proxy.route.Simulator;
import dev.meshgate.proxy.route.ViewRejectedException;

/**
 * {@code meshctl simulate --config DIR --proxy NAME.NAMESPACE [--labels k=v,...] [-X METHOD] [-H 'k: v']... URL}:
 * where the proxy would send the request and why, offline. The directory is read and validated as the control
 * plane would (invalid resources are left out), the proxy's view is translated and compiled by the proxy's own
 * route table ({@link Simulator}), and the request is looked up in it; nothing is started or sent.
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
            List<Map.Entry<String, String>> headers, URI url, OutputFormat format) {
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
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--config" -> config = Path.of(value(args, i++));
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
                format);
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
     * @param decision the proxy's decision
     * @param virtualService where the matched route was written, when a VirtualService's route matched
     */
    record Report(ConfigSummary config, ProxyIdentity proxy, RequestLine request, RouteDecision decision,
            @Nullable Origin virtualService) {
    }

    /** The config directory and its diagnostics' counts; invalid resources were left out, as by the control plane. */
    record ConfigSummary(String directory, int resources, long errors, long warnings) {
    }

    /** The request simulated. */
    record RequestLine(String method, String url, Map<String, String> headers) {
    }

    /** A route's VirtualService: {@code namespace/name}, its {@code http[]} index and name, and its source. */
    record Origin(String namespace, String name, int httpIndex, @Nullable String httpName, @Nullable String source) {
    }

    /** The view the control plane would push to the proxy of {@code options}. */
    static ProxyView view(Options options) {
        ResourceReader.ReadResult read = AnalyzeCommand.read(AnalyzeCommand.directory(options.config()),
                InputStream.nullInputStream());
        MeshValidator.ValidationResult validation = MeshValidator.validate(read.resources(), read.diagnostics());
        return ProxyViewTranslator.translate(MeshIndex.of(validation.accepted(), MeshSettings.DEFAULT),
                identity(options, validation.accepted()));
    }

    private static ProxyIdentity identity(Options options, List<Resource<?>> accepted) {
        return new ProxyIdentity(options.proxyName(), options.namespace(), kindOf(options.labels(), accepted),
                options.labels(), null);
    }

    static Report simulate(Options options) {
        ResourceReader.ReadResult read = AnalyzeCommand.read(AnalyzeCommand.directory(options.config()),
                InputStream.nullInputStream());
        MeshValidator.ValidationResult validation = MeshValidator.validate(read.resources(), read.diagnostics());
        long errors = validation.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        ConfigSummary summary = new ConfigSummary(options.config().toString(), read.resources().size(), errors,
                validation.diagnostics().size() - errors);
        MeshIndex index = MeshIndex.of(validation.accepted(), MeshSettings.DEFAULT);
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
        return new Report(summary, proxy, new RequestLine(options.method(), options.url().toString(), headers),
                decision, origin(decision.routeId(), validation.accepted()));
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

    /** The VirtualService and {@code http[]} entry of a route id {@code <namespace>.<name>.<http-index>}. */
    static @Nullable Origin origin(String routeId, List<Resource<?>> resources) {
        int first = routeId.indexOf('.');
        int last = routeId.lastIndexOf('.');
        if (first <= 0 || last <= first) {
            return null;
        }
        String namespace = routeId.substring(0, first);
        String name = routeId.substring(first + 1, last);
        int httpIndex;
        try {
            httpIndex = Integer.parseInt(routeId.substring(last + 1));
        } catch (NumberFormatException e) {
            return null; // default.<cluster>: the route of a service no VirtualService routes
        }
        for (Resource<?> resource : resources) {
            if (resource.kind() == Kind.VirtualService && resource.metadata().namespace().equals(namespace)
                    && resource.metadata().name().equals(name) && resource.spec() instanceof VirtualService vs) {
                String httpName = httpIndex < vs.http().size() ? vs.http().get(httpIndex).name() : null;
                return new Origin(namespace, name, httpIndex, httpName, resource.source());
            }
        }
        return null;
    }

    static String labelsText(Map<String, String> labels) {
        StringJoiner joiner = new StringJoiner(",");
        new TreeMap<>(labels).forEach((k, v) -> joiner.add(k + "=" + v));
        return joiner.toString();
    }
}
