package dev.meshgate.proxy.cluster;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.ClusterSpec;

/** The immutable set of cluster runtimes of one applied view, looked up by cluster name. */
public final class ClusterSet {

    public static final ClusterSet EMPTY = new ClusterSet(Map.of());

    private final Map<String, ClusterRuntime> byName;

    private ClusterSet(Map<String, ClusterRuntime> byName) {
        this.byName = byName;
    }

    /**
     * The runtimes for {@code specs}: a cluster whose spec equals the one in {@code previous} keeps its runtime
     * (and with it load-balancer position and endpoint state); a new or changed cluster gets a fresh one, into which
     * the endpoints it still has carry their outlier state.
     * {@code previous} is not modified. Cluster names are unique ({@code ProxyViewCheck} refuses a view where they
     * are not).
     */
    public static ClusterSet of(ClusterSet previous, List<ClusterSpec> specs) {
        Map<String, ClusterRuntime> map = new HashMap<>(specs.size() * 2);
        for (ClusterSpec spec : specs) {
            ClusterRuntime old = previous.byName.get(spec.name());
            ClusterRuntime runtime = old != null && (old.spec() == spec || old.spec().equals(spec)) ? old
                    : new ClusterRuntime(spec, old, System::nanoTime);
            map.put(spec.name(), runtime);
        }
        return new ClusterSet(Map.copyOf(map));
    }

    /**
     * Retires the runtimes of this set that {@code next} does not keep (clusters removed or changed), once
     * {@code next} serves: their connection pools are closed.
     */
    public void retireReplacedBy(ClusterSet next) {
        for (Map.Entry<String, ClusterRuntime> e : byName.entrySet()) {
            ClusterRuntime successor = next.byName.get(e.getKey());
            if (successor != e.getValue()) {
                e.getValue().retire(successor);
            }
        }
    }

    public @Nullable ClusterRuntime get(String name) {
        return byName.get(name);
    }

    public Collection<ClusterRuntime> all() {
        return byName.values();
    }

    public int size() {
        return byName.size();
    }
}
