package dev.meshgate.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.meshgate.core.view.ConnectionPoolSpec;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * Each event loop sends on connections of its own (Envoy's per-worker pools): a request served on one loop never
 * waits for another loop to write it upstream or to hand its answer back. Real sockets on loopback: a backend, a
 * front server whose handler sends through a cluster's pool, and clients that open a new front connection per
 * request, so that Reactor Netty spreads them over its event loops.
 */
class EventLoopLaneSocketTest {

    private final List<DisposableServer> servers = new ArrayList<>();
    private ClusterConnectionPool pool;

    @AfterEach
    void stop() {
        servers.forEach(DisposableServer::disposeNow);
        if (pool != null) {
            pool.dispose();
        }
    }

    @Test
    void aRequestIsSentUpstreamOnAConnectionOfTheEventLoopThatServesIt() {
        DisposableServer backend = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> response.sendString(Mono.just("ok"))).bindNow();
        servers.add(backend);
        pool = new ClusterConnectionPool("c", ConnectionPoolSpec.DEFAULT);
        String upstream = "http://127.0.0.1:" + backend.port() + "/";
        Set<String> frontThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        DisposableServer front = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> {
                    Thread served = Thread.currentThread();
                    frontThreads.add(served.getName());
                    boolean[] sameLoop = new boolean[1];
                    Mono<String> answer = pool.client()
                            .doOnResponse((res, conn) -> sameLoop[0] = conn.channel().eventLoop().inEventLoop(served))
                            .get().uri(upstream).responseContent().aggregate().asString()
                            .map(body -> sameLoop[0] ? "same" : "other: " + served.getName());
                    return response.sendString(answer);
                }).bindNow();
        servers.add(front);

        HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            answers.add(client.get().uri("http://127.0.0.1:" + front.port() + "/").responseContent().aggregate()
                    .asString().block(Duration.ofSeconds(10)));
        }

        assertThat(frontThreads).as("requests served on several event loops").hasSizeGreaterThan(1);
        assertThat(answers).as("whether each request's upstream connection was on its own event loop")
                .containsExactly("same");
    }

    @Test
    void aThreadKeepsItsClientAndEventLoopsGetOneEach() throws Exception {
        pool = new ClusterConnectionPool("c", ConnectionPoolSpec.DEFAULT);
        HttpClient plain = pool.client();
        assertThat(pool.client()).as("another call from a thread that is not an event loop").isSameAs(plain);

        // Two event loops alive at the same time, as a proxy's are.
        io.netty.channel.EventLoopGroup loops = new io.netty.channel.MultiThreadIoEventLoopGroup(2,
                new io.netty.util.concurrent.DefaultThreadFactory("lane-test"),
                io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            List<HttpClient> first = new ArrayList<>();
            List<HttpClient> again = new ArrayList<>();
            for (io.netty.util.concurrent.EventExecutor loop : loops) {
                first.add(loop.submit((java.util.concurrent.Callable<HttpClient>) pool::client).get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            for (io.netty.util.concurrent.EventExecutor loop : loops) {
                again.add(loop.submit((java.util.concurrent.Callable<HttpClient>) pool::client).get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(again.get(0)).isSameAs(first.get(0));
            assertThat(again.get(1)).isSameAs(first.get(1));
            assertThat(first.get(0)).isNotSameAs(first.get(1)).isNotSameAs(plain);
            assertThat(first.get(1)).isNotSameAs(plain);
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).await(10_000);
        }
    }

    @Test
    void aClusterWithLimitsKeepsOnePoolForEveryThread() throws Exception {
        pool = new ClusterConnectionPool("c", new ConnectionPoolSpec(1, 10_000, 1, Integer.MAX_VALUE, 0,
                Integer.MAX_VALUE, 3_600_000));
        HttpClient plain = pool.client();
        HttpClient[] seen = new HttpClient[1];
        Thread thread = new io.netty.util.concurrent.DefaultThreadFactory("lane-test").newThread(
                () -> seen[0] = pool.client());
        thread.start();
        thread.join(10_000);
        assertThat(seen[0]).as("one pool: its limits are the cluster's").isSameAs(plain);
    }

    @Test
    void aLaneIsFreedWhenItsThreadEndsSoThatThreadsAliveTogetherNeverShare() throws Exception {
        pool = new ClusterConnectionPool("c", ConnectionPoolSpec.DEFAULT);
        java.util.Set<HttpClient> clients = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        // More threads than lanes, one after another: each ends (and frees its lane) before the next starts.
        for (int i = 0; i < EventLoopLane.MAX + 8; i++) {
            HttpClient[] seen = new HttpClient[1];
            Thread thread = new io.netty.util.concurrent.DefaultThreadFactory("lane-test").newThread(
                    () -> seen[0] = pool.client());
            thread.start();
            thread.join(10_000);
            clients.add(seen[0]);
        }
        // Each took the lane the one before freed (2 allowed for another Netty thread taking one meanwhile); without
        // freeing, they would have taken every lane.
        assertThat(clients).as("lanes taken by threads that came one at a time").hasSizeLessThanOrEqualTo(2);
    }
}
