package io.voltis.sync.bench;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.util.Queue;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.tools.Server;

import io.voltis.sync.store.RevisionStore;

/**
 * What the fleet simulator takes away from each agent's store so that 10,000 of them fit in one
 * JVM on this machine. Neither changes what a store writes or what an agent sends the Git server;
 * a device keeps both (bench only):
 *
 * <ul>
 * <li><b>The write buffers H2 keeps between writes.</b> H2's file store pools the buffers it
 * wrote chunks with (at least 1 MB each, up to four) for as long as the store is open: about 1 MB
 * of the 1.5 MB of live heap each simulated agent held, about 15 GB at 10,000 agents. The next write
 * allocates a new buffer, as the first write after opening does.
 * <li><b>The store's server for the CLI</b> (a loopback socket and a thread an agent keeps for
 * {@code voltis-agent status}; decision 0007). One process may hold 20,000 open files here (the
 * limit cannot be raised without CAP_SYS_RESOURCE), and 10,000 agents need 10,000 for their
 * store files alone.
 * </ul>
 *
 * <p>Reaches into the agent's store and H2 by reflection (the fields are private, and the
 * daemon's store wraps the one it has open); fails loudly if either moves them, so a run never
 * silently measures something else.
 */
final class StoreConcessions {

    private static final Field OWNER_OPEN = field("io.voltis.sync.store.OwnerStore", "open");
    private static final Field STORE_DB = field("io.voltis.sync.store.H2RevisionStore", "db");
    private static final Field STORE_SERVER = field("io.voltis.sync.store.H2RevisionStore", "server");
    private static final Field SERVER = field("io.voltis.sync.store.StoreServer", "server");
    private static final Field JDBC_CONNECTION = field("io.voltis.sync.store.Jdbc", "connection");
    private static final Field POOL = field("org.h2.mvstore.FileStore", "writeBufferPool");

    private StoreConcessions() {
    }

    /**
     * Stops serving {@code store} to CLI processes; once, after opening it. A store the daemon
     * reopens (compaction, after 10 minutes and 64 MB of growth; recovery) serves again: no bench
     * round grows a store that much.
     */
    static void stopCliServer(RevisionStore store) {
        try {
            Object open = open(store);
            Object server = open == null ? null : STORE_SERVER.get(open);
            if (server != null) {
                ((Server) SERVER.get(server)).stop();
            }
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot reach the store's server: " + e, e);
        }
    }

    /**
     * Empties the pool of {@code store}'s write buffers; after each poll. The daemon's store may
     * have reopened its file since the last call (compaction, recovery), so the pool is found anew.
     */
    static void releaseWriteBuffers(RevisionStore store) {
        try {
            Object open = open(store);
            if (open == null) {
                return; // the store is down: nothing open, nothing held
            }
            Connection connection = (Connection) JDBC_CONNECTION.get(STORE_DB.get(open));
            SessionLocal session = (SessionLocal) ((JdbcConnection) connection).getSession();
            Object fileStore = session.getDatabase().getStore().getMvStore().getFileStore();
            ((Queue<?>) POOL.get(fileStore)).clear();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot reach the H2 store's write buffers: " + e, e);
        }
    }

    /** The store the daemon's store has open; read without its lock (bench only: a stale one is closed, and harmless). */
    private static Object open(RevisionStore store) throws IllegalAccessException {
        return OWNER_OPEN.getDeclaringClass().isInstance(store) ? OWNER_OPEN.get(store) : store;
    }

    private static Field field(String className, String name) {
        try {
            Field field = Class.forName(className).getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach " + className + "." + name + ": " + e, e);
        }
    }
}
