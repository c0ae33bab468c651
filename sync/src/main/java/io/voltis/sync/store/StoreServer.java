package io.voltis.sync.store;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalInt;
import org.h2.engine.SysProperties;
import org.h2.tools.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's H2 TCP server, through which CLI processes use the store while the daemon holds
 * the file. It listens on 127.0.0.1 only, serves only databases under {@code <state>/db/} that
 * exist, and only to clients that know the database password. A random management password
 * keeps other local users from stopping it. See docs/decisions/0007-store-shared-with-the-cli.md.
 */
final class StoreServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoreServer.class);
    static final String LOOPBACK = "127.0.0.1";
    private static final String BIND_ADDRESS_PROPERTY = "h2.bindAddress";

    private final Server server;

    private StoreServer(Server server) {
        this.server = server;
    }

    /**
     * NOTE: H2 binds every server socket to the address in the system property
     * {@code h2.bindAddress}, read once when H2's {@code SysProperties} class loads; without it
     * the socket listens on all interfaces (H2 then refuses remote clients itself, but the port
     * is open). So this must run before the first use of any H2 class, and
     * {@link #start} refuses to serve if it came too late.
     */
    static void bindToLoopback() {
        if (System.getProperty(BIND_ADDRESS_PROPERTY) == null) {
            System.setProperty(BIND_ADDRESS_PROPERTY, LOOPBACK);
        }
    }

    static StoreServer start(StoreFiles files, SecureRandom random) {
        if (!LOOPBACK.equals(SysProperties.BIND_ADDRESS)) {
            throw new StoreException("will not serve " + files.databaseFile() + ": H2 would listen on "
                    + (SysProperties.BIND_ADDRESS == null ? "all interfaces" : SysProperties.BIND_ADDRESS)
                    + " instead of " + LOOPBACK + " (h2.bindAddress was set too late or to another address)");
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String managementPassword = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try {
            Server server = Server.createTcpServer("-tcpPort", "0", "-ifExists", "-tcpDaemon",
                    "-baseDir", files.dbDir().toString(), "-tcpPassword", managementPassword).start();
            return new StoreServer(server);
        } catch (SQLException e) {
            throw new StoreException("cannot serve " + files.databaseFile() + " on " + LOOPBACK + ": "
                    + StoreFailures.oneLine(e), e);
        }
    }

    int port() {
        return server.getPort();
    }

    /**
     * A connection through the owner whose port is published in {@code <state>/db/server}, if
     * that file is there and an owner answers on it with this database and password. A stale
     * file (the owner was killed) gives empty.
     */
    static Optional<Connection> connect(StoreFiles files, String secret) {
        OptionalInt port = files.readServerPort();
        return port.isEmpty() ? Optional.empty() : connect(files, secret, port.getAsInt());
    }

    /** The published port, if an owner answers on it. */
    static OptionalInt answeringPort(StoreFiles files, String secret) {
        OptionalInt port = files.readServerPort();
        if (port.isEmpty()) {
            return port;
        }
        Optional<Connection> connection = connect(files, secret, port.getAsInt());
        if (connection.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            connection.get().close();
        } catch (SQLException e) {
            LOG.debug("closing a probe connection to {}: {}", files.databaseFile(), StoreFailures.oneLine(e));
        }
        return port;
    }

    private static Optional<Connection> connect(StoreFiles files, String secret, int port) {
        String url = "jdbc:h2:tcp://" + LOOPBACK + ":" + port + "/" + files.databasePath() + ";IFEXISTS=TRUE";
        try {
            return Optional.of(DriverManager.getConnection(url, H2RevisionStore.USER, secret));
        } catch (SQLException e) {
            LOG.debug("no agent serves {} on port {} ({}); using the file", files.databaseFile(), port,
                    StoreFailures.oneLine(e));
            return Optional.empty();
        }
    }

    /** Stops listening and closes the sessions of connected clients. */
    @Override
    public void close() {
        server.stop();
    }
}
