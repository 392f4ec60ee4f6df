package dev.meshgate.proxy.filter;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.view.HeaderOps;

/**
 * Implements Istio's {@code Headers.HeaderOperations} (set, add, remove) on request and response headers,
 * precomputed into arrays so that applying them allocates nothing but the headers themselves.
 */
public final class HeaderOperations {

    private final String[] setNames;
    private final String[] setValues;
    private final String[] addNames;
    private final String[] addValues;
    private final String[] remove;

    private HeaderOperations(HeaderOps ops) {
        this.setNames = ops.set().keySet().stream().sorted().toArray(String[]::new);
        this.setValues = values(ops.set(), setNames);
        this.addNames = ops.add().keySet().stream().sorted().toArray(String[]::new);
        this.addValues = values(ops.add(), addNames);
        this.remove = ops.remove().toArray(String[]::new);
    }

    public static HeaderOperations of(HeaderOps ops) {
        return new HeaderOperations(ops);
    }

    private static String[] values(Map<String, String> map, String[] names) {
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            values[i] = map.get(names[i]);
        }
        return values;
    }

    public boolean isEmpty() {
        return setNames.length == 0 && addNames.length == 0 && remove.length == 0;
    }

    /** Applies the operations: set overwrites, add appends a value, remove drops every value. */
    public void applyTo(HttpHeaders headers) {
        for (int i = 0; i < setNames.length; i++) {
            headers.set(setNames[i], setValues[i]);
        }
        for (int i = 0; i < addNames.length; i++) {
            headers.add(addNames[i], addValues[i]);
        }
        for (String name : remove) {
            headers.remove(name);
        }
    }

    /** Returns the exchange with these operations applied to its request headers. */
    public ServerWebExchange applyToRequest(ServerWebExchange exchange) {
        if (isEmpty()) {
            return exchange;
        }
        return exchange.mutate().request(r -> r.headers(this::applyTo)).build();
    }

    /** Applies these operations to the response headers just before the response is committed. */
    public void applyToResponse(ServerWebExchange exchange) {
        if (isEmpty()) {
            return;
        }
        exchange.getResponse().beforeCommit(() -> {
            applyTo(exchange.getResponse().getHeaders());
            return reactor.core.publisher.Mono.empty();
        });
    }

    @Override
    public String toString() {
        return "set" + List.of(setNames) + " add" + List.of(addNames) + " remove" + List.of(remove);
    }
}
