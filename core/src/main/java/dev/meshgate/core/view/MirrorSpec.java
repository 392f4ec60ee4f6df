package dev.meshgate.core.view;

/**
 * One of {@code VirtualService.spec.http[].mirror} / {@code mirrors[]}, compiled: a fire-and-forget copy of a
 * share of requests, sent to another cluster with the Host header suffixed {@code -shadow}.
 *
 * @param cluster the cluster the copy goes to (one of the view's clusters)
 * @param percentage share of requests copied, 0..100 ({@code mirrorPercentage}, legacy {@code mirrorPercent},
 *     or 100)
 */
public record MirrorSpec(String cluster, double percentage) {
}
