package org.mlgateway.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets whose local end is one chosen loopback address (127.0.0.2, ...), so one test can act
 * as several clients of the gateway, each with its own per-address rate limit. Certificates are
 * verified as usual by the delegate.
 */
final class SourceBoundSocketFactory extends SSLSocketFactory {

    private final SSLSocketFactory delegate;
    private final InetAddress source;

    SourceBoundSocketFactory(SSLSocketFactory delegate, InetAddress source) {
        this.delegate = delegate;
        this.source = source;
    }

    /** HttpsURLConnection asks for an unconnected socket and connects it itself: bind it first. */
    @Override
    public Socket createSocket() throws IOException {
        Socket socket = delegate.createSocket();
        socket.bind(new InetSocketAddress(source, 0));
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate.createSocket(host, port, source, 0);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate.createSocket(host, port, source, 0);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate.createSocket(host, port, source, 0);
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress localAddress, int localPort) throws IOException {
        return delegate.createSocket(host, port, source, 0);
    }

    /** Layering over an already connected plain socket cannot rebind it; refuse rather than lie. */
    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        if (!source.equals(socket.getLocalAddress())) {
            throw new IOException("socket is bound to " + socket.getLocalAddress() + ", not " + source);
        }
        return delegate.createSocket(socket, host, port, autoClose);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }
}
