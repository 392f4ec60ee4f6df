package dev.meshgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Grafana dashboards shipped in {@code dashboards/}, read as Grafana reads them: panels, queries, variables. */
public final class Dashboards {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Words of PromQL that are not metric names: aggregations, functions are followed by "(" and need no list. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][\\w:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*\\w+\\)$");

    private Dashboards() {
    }

    /** One dashboard file. */
    public record Dashboard(Path file, String uid, String title, List<Panel> panels, List<Variable> variables) {
    }

    /** A panel and the PromQL of its targets, as written (with Grafana's variables). */
    public record Panel(String title, String type, List<String> queries) {
    }

    /** A templating variable; {@code query} is null for one that does not query Prometheus. */
    public record Variable(String name, String type, String query) {
    }

    /** Every {@code dashboards/*.json}, by file name. */
    public static List<Dashboard> all() {
        try (Stream<Path> files = Files.list(Repository.dashboards())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().map(Dashboards::read)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dashboard read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Panel> panels = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            collect(panel, panels);
        }
        List<Variable> variables = new ArrayList<>();
        for (JsonNode variable : root.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            String text = query.isObject() ? query.path("query").asString() : null;
            variables.add(new Variable(variable.path("name").asString(), variable.path("type").asString(),
                    "query".equals(variable.path("type").asString()) ? text : null));
        }
        return new Dashboard(file, root.path("uid").asString(), root.path("title").asString(), panels, variables);
    }

    private static void collect(JsonNode panel, List<Panel> panels) {
        if ("row".equals(panel.path("type").asString())) {
            for (JsonNode inner : panel.path("panels")) {
                collect(inner, panels);
            }
            return;
        }
        List<String> queries = new ArrayList<>();
        for (JsonNode target : panel.path("targets")) {
            String expr = target.path("expr").asString("");
            if (!expr.isBlank()) {
                queries.add(expr);
            }
        }
        panels.add(new Panel(panel.path("title").asString(), panel.path("type").asString(), queries));
    }

    /** The series selector a {@code label_values(selector, label)} variable query reads, or the query itself. */
    public static String selectorOf(String variableQuery) {
        Matcher m = LABEL_VALUES.matcher(variableQuery.trim());
        return m.matches() ? m.group(1) : variableQuery;
    }

    /** The metric names a PromQL expression reads. */
    public static Set<String> metricNames(String promql) {
        String text = STRING.matcher(promql).replaceAll("\"\"");
        text = LABEL_MATCHERS.matcher(text).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(text);
        while (m.find()) {
            String word = m.group();
            int next = m.end();
            while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
                next++;
            }
            boolean call = next < text.length() && text.charAt(next) == '(';
            if (!call && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    /**
     * The expression as Grafana sends it to Prometheus with every variable at "All": {@code $__rate_interval} and
     * {@code $__interval} become {@code 1m}, a multi-value variable {@code .*}.
     */
    public static String asSentByGrafana(String promql) {
        return promql.replace("$__rate_interval", "1m").replace("$__interval", "1m").replace("$__range", "5m")
                .replaceAll("\\$\\{?\\w+}?", ".*");
    }
}
