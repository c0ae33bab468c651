package io.voltis.agent.runtime.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** A TCP connection to {@code host:port} (or {@code [v6]:port}) accepted within the timeout. */
final class TcpProbe implements HealthProbe {

    private final String host;
    private final int port;
    private final Duration timeout;

    private TcpProbe(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    static TcpProbe parse(String address, Duration timeout) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("health check tcp must be host:port: '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("health check tcp port must be 1-65535: '" + address + "'");
        }
        return new TcpProbe(host, port, timeout);
    }

    @Override
    public Result check() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return Result.healthy();
        } catch (IOException | IllegalArgumentException e) {
            return Result.failed(Reasons.of(e, timeout));
        }
    }

    @Override
    public String target() {
        return "tcp " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
