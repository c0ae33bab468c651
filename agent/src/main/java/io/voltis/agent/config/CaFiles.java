package io.voltis.agent.config;

import java.nio.file.Path;

import javax.net.ssl.SSLContext;

/** TLS that trusts only the CAs of a setting's PEM bundle (a private CA), for the agent's clients. */
public final class CaFiles {

    private CaFiles() {
    }

    /**
     * A TLS context trusting only the CAs in {@code caFile}; null when it is null (the JVM's CAs).
     * {@code setting} names the setting in the one-line error.
     */
    public static SSLContext context(Path caFile, String setting) throws ConfigException {
        if (caFile == null) {
            return null;
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, io.voltis.sync.git.PrivateCa.trustManagers(caFile, setting), null);
            return context;
        } catch (io.voltis.sync.git.SourceException e) {
            throw new ConfigException(e.getMessage());
        } catch (java.security.GeneralSecurityException e) {
            throw new ConfigException(setting + ": " + e.getMessage());
        }
    }
}
