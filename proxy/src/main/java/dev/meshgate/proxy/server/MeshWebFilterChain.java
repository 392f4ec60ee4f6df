package dev.meshgate.proxy.server;

import java.util.ArrayList;
import java.util.List;

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
        return new Link(0, chain).filter(exchange);
    }

    @Override
    public String toString() {
        return name;
    }

    /** The rest of this chain from filter {@code index}, then Spring's. One small object per filter and request. */
    private final class Link implements WebFilterChain {

        private final int index;
        private final WebFilterChain next;

        Link(int index, WebFilterChain next) {
            this.index = index;
            this.next = next;
        }

        boolean endsServerChain() {
            return endsList && index == filters.length;
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange) {
            return index < filters.length ? filters[index].filter(exchange, new Link(index + 1, next))
                    : next.filter(exchange);
        }
    }
}
