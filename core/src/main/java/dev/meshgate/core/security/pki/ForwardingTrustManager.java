package dev.meshgate.core.security.pki;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import org.jspecify.annotations.Nullable;

/**
 * A trust manager that forwards each check to a {@link #delegate()} (the chain to the trusted roots) and then runs
 * checks of its own ({@link #checkClient}, {@link #checkServer}): a peer's identity, its trust domain, a SAN or a pin.
 * It may check one side only, refusing the other (a server that never checks servers), and may identify servers
 * itself (a SPIFFE id, a server name) rather than let the JDK verify the endpoint's host name.
 */
public abstract class ForwardingTrustManager extends X509ExtendedTrustManager {

    /** The peers a trust manager checks; a chain presented by the other side is refused. */
    public enum Peers { CLIENTS_AND_SERVERS, CLIENTS, SERVERS }

    private final Peers peers;
    private final boolean serverHostName;

    /** Checks clients and servers, a server's chain by the delegate with the handshake's engine or socket. */
    protected ForwardingTrustManager() {
        this(Peers.CLIENTS_AND_SERVERS, true);
    }

    /**
     * @param peers whose chains are checked; the other side's are refused
     * @param serverHostName whether the delegate checks a server's chain with the handshake's engine or socket (so
     *     that the JDK verifies the host name when the engine asks for it); false: the delegate checks the chain alone
     *     and {@link #checkServer} identifies the server (a mesh server by its SPIFFE id, an upstream by its SNI,
     *     where the engine's peer host is only the endpoint's address)
     */
    protected ForwardingTrustManager(Peers peers, boolean serverHostName) {
        this.peers = peers;
        this.serverHostName = serverHostName;
    }

    /** Where the chain is checked; read at each check, so a holder may swap it. */
    protected abstract X509ExtendedTrustManager delegate();

    /** Runs once the delegate accepted a client's chain: throws to refuse the client. Accepts by default. */
    protected void checkClient(X509Certificate[] chain) throws CertificateException {
    }

    /**
     * Runs once the delegate accepted a server's chain: throws to refuse the server. Accepts by default.
     *
     * @param engine the handshake's, or null (a socket, or none)
     */
    protected void checkServer(X509Certificate[] chain, @Nullable SSLEngine engine) throws CertificateException {
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checks(Peers.CLIENTS);
        delegate().checkClientTrusted(chain, authType, socket);
        checkClient(chain);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checks(Peers.CLIENTS);
        delegate().checkClientTrusted(chain, authType, engine);
        checkClient(chain);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checks(Peers.CLIENTS);
        delegate().checkClientTrusted(chain, authType);
        checkClient(chain);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checks(Peers.SERVERS);
        if (serverHostName) {
            delegate().checkServerTrusted(chain, authType, socket);
        } else {
            delegate().checkServerTrusted(chain, authType);
        }
        checkServer(chain, null);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checks(Peers.SERVERS);
        if (serverHostName) {
            delegate().checkServerTrusted(chain, authType, engine);
        } else {
            delegate().checkServerTrusted(chain, authType);
        }
        checkServer(chain, engine);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checks(Peers.SERVERS);
        delegate().checkServerTrusted(chain, authType);
        checkServer(chain, null);
    }

    @Override
    public final X509Certificate[] getAcceptedIssuers() {
        return delegate().getAcceptedIssuers();
    }

    private void checks(Peers side) throws CertificateException {
        if (peers != Peers.CLIENTS_AND_SERVERS && peers != side) {
            throw new CertificateException("this trust manager checks " + peers.name().toLowerCase(java.util.Locale.ROOT)
                    + " only");
        }
    }
}
