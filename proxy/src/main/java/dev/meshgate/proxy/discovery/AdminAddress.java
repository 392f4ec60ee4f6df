package dev.meshgate.proxy.discovery;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The admin server's {@code host:port} a proxy announces in its hello ({@code Hello.adminAddress}), and when it is
 * known: at once when the admin server has a port of its own configured (the port it is about to bind), once it
 * has bound when that port is 0 (any free port), never when there is no admin server of its own (null, as the
 * hello always said then). Knowing it before the admin server binds lets the discovery client connect, say hello
 * and apply the first view while the management context is still starting (issue #13, docs/performance.md).
 * The host is the configured {@code management.server.address}, the loopback address when it is every interface
 * or none.
 */
final class AdminAddress implements ApplicationListener<WebServerInitializedEvent> {

    /** Spring Boot's server namespace of the management child context's web server. */
    private static final String MANAGEMENT = "management";

    private final String host;
    private final boolean ownServer;
    private final Sinks.Empty<Void> known = Sinks.empty();
    private volatile int port;

    AdminAddress(Environment environment) {
        this.host = host(environment.getProperty("management.server.address", "127.0.0.1"));
        this.ownServer = ManagementPortType.get(environment) == ManagementPortType.DIFFERENT;
        this.port = ownServer ? environment.getProperty("management.server.port", Integer.class, 0) : 0;
        if (!ownServer || port > 0) {
            known.tryEmitEmpty();
        }
    }

    /** The admin server bound (an event of the management child context, which its parent receives too). */
    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        WebServerApplicationContext context = event.getApplicationContext();
        if (ownServer && MANAGEMENT.equals(context.getServerNamespace())) {
            port = event.getWebServer().getPort();
            known.tryEmitEmpty();
        }
    }

    /** The address for a hello, once known (empty: no admin server of its own); asked again at each subscription. */
    Mono<Optional<String>> address() {
        return known.asMono().then(Mono.fromSupplier(() -> Optional.ofNullable(now())));
    }

    private @Nullable String now() {
        int bound = port;
        return ownServer && bound > 0 ? host + ":" + bound : null;
    }

    private static String host(String configured) {
        String host = configured;
        if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
