package dev.meshgate.proxy.filter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.proxy.stream.SubstitutionTemplate;

/**
 * Implements Istio's {@code Headers.HeaderOperations} (set, add, remove) on request and response headers, in
 * Envoy's order. Istio makes each of them an Envoy header parser: {@code remove} first, then the values of
 * {@code set} and {@code add} (each sorted by name) are expanded against the headers as they are then, then the
 * sets overwrite and the adds append; an empty value is skipped, as Envoy omits empty header values. A lone route
 * destination's operations join the route's parser (after the route's own); the destinations of a weighted
 * route are their own parsers, evaluated before the route's, so that the route's {@code set} wins (Envoy's
 * default, {@code most_specific_header_mutations_wins: false}). Values are {@link SubstitutionTemplate}s, compiled
 * here once.
 */
public final class HeaderOperations {

    /** No operation. */
    public static final HeaderOperations NONE = new HeaderOperations(new Level[0]);

    private final Level[] levels;
    private final boolean dynamic;
    private final boolean empty;

    /** One Envoy header parser. */
    private record Level(String[] remove, String[] setNames, SubstitutionTemplate[] setValues, String[] addNames,
            SubstitutionTemplate[] addValues, boolean dynamic) {

        static Level of(List<String> remove, Map<String, String> set, Map<String, String> add) {
            String[] setNames = set.keySet().stream().sorted().toArray(String[]::new);
            String[] addNames = add.keySet().stream().sorted().toArray(String[]::new);
            return of(remove, setNames, templates(set, setNames), addNames, templates(add, addNames));
        }

        static Level of(List<String> remove, String[] setNames, SubstitutionTemplate[] setValues, String[] addNames,
                SubstitutionTemplate[] addValues) {
            boolean dynamic = Arrays.stream(setValues).anyMatch(SubstitutionTemplate::isDynamic)
                    || Arrays.stream(addValues).anyMatch(SubstitutionTemplate::isDynamic);
            return new Level(remove.toArray(String[]::new), setNames, setValues, addNames, addValues, dynamic);
        }

        boolean isEmpty() {
            return remove.length == 0 && setNames.length == 0 && addNames.length == 0;
        }

        void apply(HttpHeaders headers, SubstitutionTemplate.@Nullable Context context) {
            for (String name : remove) {
                headers.remove(name);
            }
            if (!dynamic) {
                for (int i = 0; i < setNames.length; i++) {
                    set(headers, setNames[i], setValues[i].render(null, ""));
                }
                for (int i = 0; i < addNames.length; i++) {
                    add(headers, addNames[i], addValues[i].render(null, ""));
                }
                return;
            }
            // Every value is expanded against the headers as they are before any set or add (Envoy's order).
            String[] sets = new String[setNames.length];
            String[] adds = new String[addNames.length];
            for (int i = 0; i < sets.length; i++) {
                sets[i] = setValues[i].render(context, "");
            }
            for (int i = 0; i < adds.length; i++) {
                adds[i] = addValues[i].render(context, "");
            }
            for (int i = 0; i < sets.length; i++) {
                set(headers, setNames[i], sets[i]);
            }
            for (int i = 0; i < adds.length; i++) {
                add(headers, addNames[i], adds[i]);
            }
        }

        private static void set(HttpHeaders headers, String name, String value) {
            if (!value.isEmpty()) {
                headers.set(name, value);
            }
        }

        private static void add(HttpHeaders headers, String name, String value) {
            if (!value.isEmpty()) {
                headers.add(name, value);
            }
        }
    }

    private HeaderOperations(Level[] levels) {
        this.levels = levels;
        this.dynamic = Arrays.stream(levels).anyMatch(Level::dynamic);
        this.empty = Arrays.stream(levels).allMatch(Level::isEmpty);
    }

    /**
     * One parser of {@code ops}.
     *
     * @throws IllegalArgumentException for a value Envoy could not expand
     */
    public static HeaderOperations of(HeaderOps ops) {
        return new HeaderOperations(new Level[] {Level.of(ops.remove(), ops.set(), ops.add())});
    }

    /**
     * One parser holding {@code first}'s operations, then {@code second}'s: both removes, then both sets, then
     * both adds (Istio appends a lone destination's operations to the route's).
     *
     * @throws IllegalArgumentException for a value Envoy could not expand
     */
    public static HeaderOperations merged(HeaderOps first, HeaderOps second) {
        Level a = Level.of(first.remove(), first.set(), first.add());
        Level b = Level.of(second.remove(), second.set(), second.add());
        List<String> remove = new ArrayList<>(Arrays.asList(a.remove()));
        remove.addAll(Arrays.asList(b.remove()));
        return new HeaderOperations(new Level[] {Level.of(remove, concat(a.setNames(), b.setNames()),
                concat(a.setValues(), b.setValues()), concat(a.addNames(), b.addNames()),
                concat(a.addValues(), b.addValues()))});
    }

    /** These parsers, then {@code next}'s (a weighted destination's, then its route's). */
    public HeaderOperations then(HeaderOperations next) {
        Level[] all = Arrays.copyOf(levels, levels.length + next.levels.length);
        System.arraycopy(next.levels, 0, all, levels.length, next.levels.length);
        return new HeaderOperations(all);
    }

    @SuppressWarnings("unchecked")
    private static <T> T[] concat(T[] a, T[] b) {
        T[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static SubstitutionTemplate[] templates(Map<String, String> values, String[] names) {
        SubstitutionTemplate[] out = new SubstitutionTemplate[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = SubstitutionTemplate.header(values.get(names[i]));
        }
        return out;
    }

    public boolean isEmpty() {
        return empty;
    }

    /** Returns the exchange with these operations applied to its request headers. */
    public ServerWebExchange applyToRequest(ServerWebExchange exchange) {
        if (empty) {
            return exchange;
        }
        return exchange.mutate().request(r -> r.headers(headers -> {
            SubstitutionTemplate.Context context = dynamic
                    ? new SubstitutionTemplate.Context(exchange, headers, null) : null;
            for (Level level : levels) {
                level.apply(headers, context);
            }
        })).build();
    }

    /** Applies these operations to the response headers just before the response is committed. */
    public void applyToResponse(ServerWebExchange exchange) {
        if (empty) {
            return;
        }
        exchange.getResponse().beforeCommit(() -> {
            HttpHeaders headers = exchange.getResponse().getHeaders();
            SubstitutionTemplate.Context context = dynamic
                    ? new SubstitutionTemplate.Context(exchange, exchange.getRequest().getHeaders(), headers) : null;
            for (Level level : levels) {
                level.apply(headers, context);
            }
            return Mono.empty();
        });
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Level level : levels) {
            if (!sb.isEmpty()) {
                sb.append(" then ");
            }
            sb.append("remove").append(List.of(level.remove())).append(" set").append(List.of(level.setNames()))
                    .append(" add").append(List.of(level.addNames()));
        }
        return sb.toString();
    }
}
