package dev.meshgate.bench.controlplane;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.WebSocketClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A real WebSocket client that also records the text frames its sessions receive, as they came on the wire. */
final class RecordingWebSocketClient implements WebSocketClient {

    /** A received text frame: its UTF-8 size and its text. */
    record Frame(int bytes, String text) {
    }

    private final WebSocketClient delegate;
    final List<Frame> received = new CopyOnWriteArrayList<>();

    RecordingWebSocketClient(WebSocketClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<Void> execute(URI url, WebSocketHandler handler) {
        return delegate.execute(url, session -> handler.handle(new Recording(session)));
    }

    @Override
    public Mono<Void> execute(URI url, HttpHeaders headers, WebSocketHandler handler) {
        return delegate.execute(url, headers, session -> handler.handle(new Recording(session)));
    }

    private final class Recording implements WebSocketSession {
        private final WebSocketSession session;

        Recording(WebSocketSession session) {
            this.session = session;
        }

        @Override
        public Flux<WebSocketMessage> receive() {
            return session.receive().doOnNext(message -> {
                if (message.getType() == WebSocketMessage.Type.TEXT) {
                    DataBuffer payload = message.getPayload();
                    received.add(new Frame(payload.readableByteCount(), payload.toString(StandardCharsets.UTF_8)));
                }
            });
        }

        @Override
        public String getId() {
            return session.getId();
        }

        @Override
        public HandshakeInfo getHandshakeInfo() {
            return session.getHandshakeInfo();
        }

        @Override
        public DataBufferFactory bufferFactory() {
            return session.bufferFactory();
        }

        @Override
        public Map<String, Object> getAttributes() {
            return session.getAttributes();
        }

        @Override
        public Mono<Void> send(Publisher<WebSocketMessage> messages) {
            return session.send(messages);
        }

        @Override
        public boolean isOpen() {
            return session.isOpen();
        }

        @Override
        public Mono<Void> close(CloseStatus status) {
            return session.close(status);
        }

        @Override
        public Mono<CloseStatus> closeStatus() {
            return session.closeStatus();
        }

        @Override
        public WebSocketMessage textMessage(String payload) {
            return session.textMessage(payload);
        }

        @Override
        public WebSocketMessage binaryMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
            return session.binaryMessage(payloadFactory);
        }

        @Override
        public WebSocketMessage pingMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
            return session.pingMessage(payloadFactory);
        }

        @Override
        public WebSocketMessage pongMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
            return session.pongMessage(payloadFactory);
        }
    }
}
