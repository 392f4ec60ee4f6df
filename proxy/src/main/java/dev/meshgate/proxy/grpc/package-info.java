/**
 * gRPC through the proxy: what Envoy does for a request whose content type is {@code application/grpc}. Local
 * replies become trailers-only gRPC responses ({@link GrpcLocalReply}), and the trailers of an upstream response
 * ({@code grpc-status}, {@code grpc-message}) reach the client ({@link ResponseTrailers}).
 */
@NullMarked
package dev.meshgate.proxy.grpc;

import org.jspecify.annotations.NullMarked;
