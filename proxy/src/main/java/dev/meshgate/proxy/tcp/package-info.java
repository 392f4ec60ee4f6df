/**
 * The proxies' TCP listeners: opaque TCP and TLS passed through by SNI (VirtualService {@code tcp}/{@code tls}
 * routes, TCP service ports), on Reactor Netty's {@code TcpServer}/{@code TcpClient}, apart from the HTTP path.
 */
@NullMarked
package dev.meshgate.proxy.tcp;

import org.jspecify.annotations.NullMarked;
