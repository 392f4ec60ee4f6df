package dev.meshgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.inject.InjectionException;
import dev.meshgate.core.inject.SidecarInjector;
import dev.meshgate.core.inject.SidecarTemplate;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code meshctl kube-inject -f FILE|-} (as {@code istioctl kube-inject}): prints the manifests with meshgate's
 * sidecar added to every pod template that does not opt out, by the same template the control plane's injecting
 * webhook applies ({@link SidecarInjector}); other documents pass through. Namespace labels are not looked at
 * (there is no cluster): as istioctl, a manifest given to kube-inject is injected unless its pods opt out.
 */
final class KubeInjectCommand {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;

    KubeInjectCommand(PrintStream out, PrintStream err, InputStream in) {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    int run(List<String> args) {
        String file = null;
        SidecarTemplate defaults = SidecarTemplate.defaults();
        String proxyImage = defaults.proxyImage();
        String initImage = defaults.initImage();
        String discoveryAddress = null;
        String revision = defaults.revision();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "-f", "--filename" -> file = value(args, i++, "a manifest file or - (stdin)");
                case "--proxy-image" -> proxyImage = value(args, i++, "an image");
                case "--init-image" -> initImage = value(args, i++, "an image");
                case "--discovery-address" -> discoveryAddress = value(args, i++, "host:port");
                case "--revision", "-r" -> revision = value(args, i++, "a revision (istio.io/rev)");
                default -> throw new UsageException("kube-inject: unknown argument: " + arg);
            }
        }
        if (file == null) {
            throw new UsageException("kube-inject: -f FILE (or -f - for stdin) is required");
        }
        String text = read(file);
        if (!revision.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new UsageException("kube-inject: --revision " + revision + " (expected: a DNS-1123 label, e.g. canary)");
        }
        if (discoveryAddress == null) {
            // As istioctl kube-inject --revision: the revision's control plane, istiod-<revision>.
            discoveryAddress = revision.equals(defaults.revision()) ? defaults.discoveryAddress()
                    : "istiod-" + revision + ".istio-system.svc:15012";
        }
        SidecarInjector injector = new SidecarInjector(new SidecarTemplate(proxyImage, initImage, discoveryAddress,
                revision));
        StringBuilder printed = new StringBuilder();
        for (JsonNode document : documents(file, text)) {
            if (document instanceof ObjectNode object) {
                try {
                    // Warnings go to stderr, so that the injected manifest on stdout can be piped to kubectl.
                    injector.injectManifest(object, warning -> err.println(warning.format()));
                } catch (InjectionException e) {
                    throw new CommandException(e.getMessage());
                }
            }
            printed.append(YAML.writeValueAsString(document));
        }
        out.print(printed);
        return 0;
    }

    private static String value(List<String> args, int i, String expected) {
        if (i + 1 == args.size()) {
            throw new UsageException(args.get(i) + ": missing value (expected: " + expected + ")");
        }
        return args.get(i + 1);
    }

    private String read(String file) {
        try {
            byte[] bytes = file.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(file));
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandException("cannot read " + file + ": " + e);
        }
    }

    /** The YAML documents of the file, in order; empty ones (a trailing {@code ---}) are dropped. */
    private static List<JsonNode> documents(String file, String text) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (iterator.hasNextValue()) {
                JsonNode document = iterator.nextValue();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        } catch (JacksonException e) {
            throw new CommandException("cannot parse " + (file.equals("-") ? "<stdin>" : file) + ": "
                    + e.getOriginalMessage());
        }
        return documents;
    }
}
