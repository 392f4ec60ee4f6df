package dev.meshgate.proxy.server;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Consecutive {@link MeshWebFilter}s run as one WebFilter. Spring's chain wraps every filter's result in a Reactor
 * checkpoint on every request (an assembly snapshot and one more operator in each signal's path, six per request
 * over the proxy's filters); inside this chain the filters call each other directly. The order is Spring's: only
 * runs of mesh filters that are already adjacent in the sorted list are joined, so a foreign filter between two of
 * them stays between them.
 */
public final class MeshWebFilterChain implements WebFilter {

    private final MeshWebFilter[] filters;
    /**
     * Short and fixed: Spring's chain checkpoints every WebFilter with its {@code toString()} on every request, and
     * Reactor builds the checkpoint's text from it then (the list of the filters made ~400 bytes a request).
     */
    private final String name;
    /** Whether this chain ends the server's WebFilters: only Spring's dispatcher comes after it. */
    private final boolean endsList;
    /**
     * The links of the last rest of Spring's chain this chain was given, first filter's first. Spring's chain is
     * made once and hands every request the same rest, so the links are made once, not per filter and request.
     */
    private volatile Link @Nullable [] links;

    MeshWebFilterChain(List<MeshWebFilter> filters, boolean endsList) {
        this.filters = filters.toArray(MeshWebFilter[]::new);
        this.endsList = endsList;
        this.name = "MeshWebFilterChain(" + filters.size() + " filters)";
    }

    /** {@code filters} (in Spring's order) with every run of adjacent mesh filters replaced by one chain. */
    public static List<WebFilter> join(List<WebFilter> filters) {
        List<WebFilter> joined = new ArrayList<>();
        List<MeshWebFilter> run = new ArrayList<>();
        for (WebFilter filter : filters) {
            if (filter instanceof MeshWebFilter mesh) {
                run.add(mesh);
                continue;
            }
            flush(run, joined, false);
            joined.add(filter);
        }
        // The list ends with these mesh filters: after the last of them comes Spring's dispatcher only.
        flush(run, joined, true);
        return joined;
    }

    private static void flush(List<MeshWebFilter> run, List<WebFilter> joined, boolean endsList) {
        if (run.size() == 1) {
            joined.add(run.get(0));
        } else if (run.size() > 1) {
            joined.add(new MeshWebFilterChain(run, endsList));
        }
        run.clear();
    }

    /**
     * Whether {@code chain}, the chain a mesh filter was given, holds nothing but Spring's dispatcher: the filter is
     * the last of a mesh chain that ends the server's WebFilters. A filter given any other chain cannot tell.
     */
    public static boolean onlyDispatcherFollows(WebFilterChain chain) {
        return chain instanceof MeshWebFilterChain.Link link && link.endsServerChain();
    }

    /** The joined filters, in order. */
    List<MeshWebFilter> filters() {
        return List.of(filters);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Link[] current = links;
        if (current == null || current[0].rest != chain) {
            current = new Link[filters.length + 1];
            Link following = null;
            for (int i = filters.length; i >= 0; i--) {
                following = new Link(i, following, chain);
                current[i] = following;
            }
            links = current;
        }
        return current[0].filter(exchange);
    }

    @Override
    public String toString() {
        return name;
    }

    /** The rest of this chain from filter {@code index}, then Spring's. Immutable, made once per rest of Spring's. */
    private final class Link implements WebFilterChain {

        private final int index;
        /** The link handed to filter {@code index}; null for the last, which goes on to Spring's rest. */
        private final @Nullable Link following;
        private final WebFilterChain rest;

        Link(int index, @Nullable Link following, WebFilterChain rest) {
            this.index = index;
            this.following = following;
            this.rest = rest;
        }

        boolean endsServerChain() {
            return endsList && index == filters.length;
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange) {
            Link next = following;
            return next != null ? filters[index].filter(exchange, next) : rest.filter(exchange);
        }
    }
}
