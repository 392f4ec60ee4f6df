package dev.meshgate.core.view;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.translate.ProxyViewTranslator;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.yaml.ResourceReader;

/**
 * Generates variations of the fixtures' {@code input.yaml} (a seeded, deterministic {@link Random}): a number,
 * code, string, path, regex, duration, weight or percentage of one field is changed, or one of the fields whose
 * rules the proxy enforces (redirectCode, rewrite.uri, directResponse.status, fault, mirror percentage, match
 * regex, CORS origin regex, route weights) is added to an {@code http} entry. Shared with the proxy's tests
 * (core's test jar), so that validation, the core view check and the proxy's compiler are held to the same
 * inputs.
 */
public final class FixtureMutations {

    /** The seed of every run: a failure is reproduced by running the test again. */
    public static final long SEED = 8;

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern DURATION = Pattern.compile("[0-9.]+(ms|s|m|h|us|ns)");

    private static final List<ProxyIdentity> DEFAULT_PROXIES = List.of(
            new ProxyIdentity("client-1", "default", ProxyKind.SIDECAR, Map.of("app", "client"), null),
            new ProxyIdentity("ingress-1", "istio-system", ProxyKind.GATEWAY, Map.of("istio", "ingressgateway"),
                    null));

    private static final String[] REGEXES = {"(", "[a-z]+", ".*", "a{2,1}", "(?i)abc", "\\p{Lu}+", "*", "x**",
            "(?<name>x)", "(?P<name>x)", "(?=a)b", "[[:alpha:]]", "\\Q.\\E", "^/v[0-9]+$", "\\d{1,3}", "a|", ""};
    private static final String[] DURATIONS = {"0s", "1ms", "0.5ms", "1.5s", "-1s", "1000h", "10", "0.001s", "2m"};
    private static final String[] PATHS = {"", "relative", "/", "/x/", "//y", "x/y", "/a b", "*"};
    private static final String[] STRINGS = {"", "*", "x", "*.example.com", "*foo.example.com", "UPPER", "a b",
            "web", "-", "/"};

    private FixtureMutations() {
    }

    /** One variation of a fixture. */
    public record Mutant(String fixture, int number, String change, String yaml) {
        @Override
        public String toString() {
            return fixture + "#" + number + " [" + change + "]";
        }
    }

    /** Every {@code input.yaml} under {@code fixtures} ({@code translate/*} and {@code validation/*}), sorted. */
    public static List<Path> inputs(Path fixtures) {
        try (Stream<Path> walk = Files.walk(fixtures)) {
            return walk.filter(p -> p.getFileName().toString().equals("input.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} variations of {@code input}, the same ones on every run. */
    public static List<Mutant> mutants(Path input, int count) {
        String name = input.getParent().getParent().getFileName() + "/" + input.getParent().getFileName();
        String yaml = read(input);
        try {
            parse(yaml);
        } catch (JacksonException unreadable) {
            return List.of(); // a fixture of unparseable YAML: nothing to vary
        }
        Random random = new Random(SEED ^ name.hashCode());
        List<Mutant> out = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            List<JsonNode> docs = parse(yaml);
            List<String> changes = new ArrayList<>();
            int edits = random.nextInt(4) == 0 ? 2 : 1;
            for (int e = 0; e < edits; e++) {
                String change = random.nextBoolean() ? insert(docs, random) : mutateLeaf(docs, random);
                if (change == null) {
                    change = mutateLeaf(docs, random);
                }
                if (change != null) {
                    changes.add(change);
                }
            }
            out.add(new Mutant(name, n, String.join("; ", changes), write(docs)));
        }
        return out;
    }

    /**
     * The views of the resources of {@code yaml} that validation accepts, for the proxy of the fixture's
     * {@code proxy.yaml} (when it has one), a sidecar in {@code default} and an ingress gateway; with the
     * fixture's {@code mesh.yaml} settings when it has one.
     */
    public static List<ProxyView> acceptedViews(Path input, String yaml) {
        var read = ResourceReader.read(input.toString(), yaml);
        MeshIndex index = MeshIndex.of(MeshValidator.validate(read.resources()).accepted(), settings(input));
        List<ProxyView> views = new ArrayList<>();
        for (ProxyIdentity proxy : proxies(input)) {
            views.add(ProxyViewTranslator.translate(index, proxy));
        }
        return views;
    }

    private static List<ProxyIdentity> proxies(Path input) {
        List<ProxyIdentity> proxies = new ArrayList<>(DEFAULT_PROXIES);
        Path proxy = input.resolveSibling("proxy.yaml");
        if (Files.exists(proxy)) {
            proxies.add(0, YAML.readValue(read(proxy), ProxyIdentity.class));
        }
        return proxies;
    }

    private static MeshSettings settings(Path input) {
        Path mesh = input.resolveSibling("mesh.yaml");
        return Files.exists(mesh) ? YAML.readValue(read(mesh), MeshSettings.class) : MeshSettings.DEFAULT;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> parse(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (values.hasNextValue()) {
                JsonNode doc = (JsonNode) values.nextValue();
                if (doc != null && doc.isObject()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static String write(List<JsonNode> docs) {
        StringBuilder out = new StringBuilder();
        for (JsonNode doc : docs) {
            out.append("---\n").append(YAML.writeValueAsString(doc));
        }
        return out.toString();
    }

    /** A place holding a value: an object's field or an array's element. */
    private record Slot(JsonNode parent, String key, int index, String path) {
        JsonNode value() {
            return parent instanceof ObjectNode o ? o.get(key) : parent.get(index);
        }

        void set(JsonNode value) {
            if (parent instanceof ObjectNode o) {
                o.set(key, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }
    }

    private static @org.jspecify.annotations.Nullable String mutateLeaf(List<JsonNode> docs, Random random) {
        List<Slot> leaves = new ArrayList<>();
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asString("");
            String name = doc.path("metadata").path("name").asString("");
            if (doc.get("spec") != null) {
                collect(doc, "spec", -1, kind + " " + name + " spec", leaves);
            }
        }
        if (leaves.isEmpty()) {
            return null;
        }
        Slot slot = leaves.get(random.nextInt(leaves.size()));
        JsonNode value = slot.value();
        JsonNode next;
        String key = slot.key() == null ? "" : slot.key();
        if (value.isIntegralNumber()) {
            int v = value.asInt();
            int[] ints = {0, -1, 1, 50, 100, 101, v + 1, v - 1, Integer.MAX_VALUE, 300 + random.nextInt(100),
                    100 + random.nextInt(500), 65536};
            next = NODES.numberNode(ints[random.nextInt(ints.length)]);
        } else if (value.isNumber()) {
            double[] doubles = {0, -0.5, 100, 100.5, 0.001, 50, 99.99};
            next = NODES.numberNode(doubles[random.nextInt(doubles.length)]);
        } else if (value.isBoolean()) {
            next = NODES.booleanNode(!value.asBoolean());
        } else if (value.isString()) {
            String v = value.asString();
            if ((key.equals("exact") || key.equals("prefix") || key.equals("regex")) && random.nextBoolean()) {
                // the same value under another StringMatch kind
                String[] kinds = {"exact", "prefix", "regex"};
                String other = kinds[random.nextInt(kinds.length)];
                ObjectNode match = (ObjectNode) slot.parent();
                match.remove(key);
                match.set(other, value);
                return slot.path() + ": " + key + " -> " + other;
            }
            String[] pool = key.equals("regex") || slot.path().contains("match") || slot.path().contains("Origin")
                    ? REGEXES : DURATION.matcher(v).matches() ? DURATIONS : v.startsWith("/") ? PATHS : STRINGS;
            next = NODES.stringNode(pool[random.nextInt(pool.length)]);
        } else {
            return null;
        }
        slot.set(next);
        return slot.path() + ": " + value + " -> " + next;
    }

    private static void collect(JsonNode parent, String key, int index, String path, List<Slot> out) {
        JsonNode node = parent instanceof ObjectNode o ? o.get(key) : parent.get(index);
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            for (String field : node.propertyNames()) {
                collect(node, field, -1, path + "." + field, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node, null, i, path + "[" + i + "]", out);
            }
        } else if (node.isValueNode() && !node.isNull()) {
            out.add(new Slot(parent, key, index, path));
        }
    }

    /** Adds or replaces a field of one {@code http} entry of a VirtualService; null when there is none. */
    private static @org.jspecify.annotations.Nullable String insert(List<JsonNode> docs, Random random) {
        List<ObjectNode> entries = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (JsonNode doc : docs) {
            JsonNode http = doc.path("spec").path("http");
            if (doc.path("kind").asString("").equals("VirtualService") && http.isArray()) {
                for (int i = 0; i < http.size(); i++) {
                    if (http.get(i) instanceof ObjectNode entry) {
                        entries.add(entry);
                        paths.add("VirtualService " + doc.path("metadata").path("name").asString("") + " spec.http["
                                + i + "]");
                    }
                }
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        int pick = random.nextInt(entries.size());
        ObjectNode entry = entries.get(pick);
        String at = paths.get(pick);
        switch (random.nextInt(9)) {
            case 0 -> {
                if (!(entry.get("redirect") instanceof ObjectNode redirect)) {
                    return null;
                }
                int code = random.nextInt(3) == 0 ? 301 + random.nextInt(8) : 300 + random.nextInt(100);
                redirect.put("redirectCode", code);
                return at + ".redirect.redirectCode = " + code;
            }
            case 1 -> {
                if (entry.has("redirect")) {
                    return null;
                }
                String uri = PATHS[random.nextInt(PATHS.length)];
                ObjectNode rewrite = entry.get("rewrite") instanceof ObjectNode r ? r : entry.putObject("rewrite");
                rewrite.put("uri", uri);
                return at + ".rewrite.uri = '" + uri + "'";
            }
            case 2 -> {
                if (!(entry.get("directResponse") instanceof ObjectNode response)) {
                    return null;
                }
                int status = 100 + random.nextInt(600);
                response.put("status", status);
                return at + ".directResponse.status = " + status;
            }
            case 3 -> {
                ObjectNode abort = entry.putObject("fault").putObject("abort");
                int status = 100 + random.nextInt(600);
                double percentage = pickPercentage(random);
                abort.put("httpStatus", status);
                abort.putObject("percentage").put("value", percentage);
                return at + ".fault.abort = " + status + " at " + percentage + "%";
            }
            case 4 -> {
                ObjectNode delay = entry.putObject("fault").putObject("delay");
                String duration = DURATIONS[random.nextInt(DURATIONS.length)];
                double percentage = pickPercentage(random);
                delay.put("fixedDelay", duration);
                delay.putObject("percentage").put("value", percentage);
                return at + ".fault.delay = " + duration + " at " + percentage + "%";
            }
            case 5 -> {
                if (!entry.has("route") || !entry.get("route").isArray() || entry.get("route").isEmpty()) {
                    return null;
                }
                JsonNode destination = entry.get("route").get(0).get("destination");
                if (destination == null) {
                    return null;
                }
                double percentage = pickPercentage(random);
                entry.set("mirror", destination.deepCopy());
                entry.putObject("mirrorPercentage").put("value", percentage);
                return at + ".mirror at " + percentage + "%";
            }
            case 6 -> {
                String regex = REGEXES[random.nextInt(REGEXES.length)];
                String field = random.nextBoolean() ? "uri" : "authority";
                ArrayNode match = entry.putArray("match");
                match.addObject().putObject(field).put("regex", regex);
                return at + ".match = [{" + field + ": {regex: '" + regex + "'}}]";
            }
            case 7 -> {
                String regex = REGEXES[random.nextInt(REGEXES.length)];
                entry.putObject("corsPolicy").putArray("allowOrigins").addObject().put("regex", regex);
                return at + ".corsPolicy.allowOrigins = [{regex: '" + regex + "'}]";
            }
            default -> {
                if (!(entry.get("route") instanceof ArrayNode route) || route.isEmpty()) {
                    return null;
                }
                int[] weights = {0, -1, 1, 50, 100, 101, Integer.MAX_VALUE};
                StringBuilder change = new StringBuilder(at + ".route weights =");
                for (JsonNode destination : route) {
                    int weight = weights[random.nextInt(weights.length)];
                    ((ObjectNode) destination).put("weight", weight);
                    change.append(' ').append(weight);
                }
                return change.toString();
            }
        }
    }

    private static double pickPercentage(Random random) {
        double[] percentages = {0, 0.5, 50, 100, 100.5, -1};
        return percentages[random.nextInt(percentages.length)];
    }
}
