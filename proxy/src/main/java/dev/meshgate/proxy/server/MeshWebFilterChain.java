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
    private final String name;

    MeshWebFilterChain(List<MeshWebFilter> filters) {
        this.filters = filters.toArray(MeshWebFilter[]::new);
        this.name = "MeshWebFilterChain" + filters;
    }

    /**
     * {@code filters} (in Spring's order) with every run of adjacent mesh filters replaced by one chain, and the
     * last filter, when it is a mesh filter, {@linkplain MeshWebFilter#asLast() as the last}.
     */
    public static List<WebFilter> join(List<WebFilter> filters) {
        List<WebFilter> joined = new ArrayList<>();
        List<MeshWebFilter> run = new ArrayList<>();
        for (WebFilter filter : filters) {
            if (filter instanceof MeshWebFilter mesh) {
                run.add(mesh);
                continue;
            }
            flush(run, joined);
            joined.add(filter);
        }
        if (!run.isEmpty()) {
            // The list ends with mesh filters: the last of them is followed by Spring's dispatcher only.
            run.set(run.size() - 1, run.get(run.size() - 1).asLast());
        }
        flush(run, joined);
        return joined;
    }

    private static void flush(List<MeshWebFilter> run, List<WebFilter> joined) {
        if (run.size() == 1) {
            joined.add(run.get(0));
        } else if (run.size() > 1) {
            joined.add(new MeshWebFilterChain(run));
        }
        run.clear();
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

        @Override
        public Mono<Void> filter(ServerWebExchange exchange) {
            return index < filters.length ? filters[index].filter(exchange, new Link(index + 1, next))
                    : next.filter(exchange);
        }
    }
}
