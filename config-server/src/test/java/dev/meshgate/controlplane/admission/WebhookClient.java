package dev.meshgate.controlplane.admission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.meshgate.core.security.pki.Pem;

/**
 * What the API server does when it calls a webhook: dials 127.0.0.1 as the Service's DNS name, verifies the
 * certificate against the configuration's caBundle only (hostname included), POSTs the AdmissionReview.
 */
record WebhookClient(int port, String caBundle, String serverName) {

    /** The HTTP status and body of a POST to {@code path}. */
    Response post(String path, String body) throws Exception {
        try (SSLSocket socket = handshake()) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + serverName + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            return Response.parse(socket.getInputStream().readAllBytes());
        }
    }

    /** A TLS handshake that trusts the caBundle's roots only and checks the server's name as HTTPS does. */
    SSLSocket handshake() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        List<X509Certificate> roots = Pem.certificates(
                new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII));
        for (int i = 0; i < roots.size(); i++) {
            trust.setCertificateEntry("root-" + i, roots.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        plain.setSoTimeout(10_000);
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, serverName, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    record Response(int status, String body) {

        static Response parse(byte[] raw) throws IOException {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = text.substring(0, end);
            int status = Integer.parseInt(head.split(" ")[1]);
            byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
            if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                rest = dechunk(new java.io.ByteArrayInputStream(rest));
            }
            return new Response(status, new String(rest, StandardCharsets.UTF_8));
        }

        private static byte[] dechunk(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) != '\n') {
                    if (c < 0) {
                        return body.toByteArray();
                    }
                    if (c != '\r') {
                        line.append((char) c);
                    }
                }
                int size = Integer.parseInt(line.toString().split(";")[0].trim(), 16);
                if (size == 0) {
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                in.readNBytes(2);
            }
        }
    }
}
