package io.voltis.sync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A private certificate authority made with the JDK's {@code keytool}, as an operator's PKI would
 * be: a CA certificate ({@link #caPem()}, PEM) and a server certificate it signed for
 * {@code 127.0.0.1}, in {@link #serverContext()} for a test server.
 */
public final class TestCa {

    private static final String PASS = "changeit";

    private final Path dir;

    private TestCa(Path dir) {
        this.dir = dir;
    }

    /** Makes the CA and the server certificate in {@code dir} (created if needed). */
    public static TestCa create(Path dir) {
        TestCa ca = new TestCa(dir);
        try {
            Files.createDirectories(dir);
            ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Voltis Test CA",
                    "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
            ca.keytool("-exportcert", "-alias", "ca", "-rfc", "-file", "ca.pem", "-keystore", "ca.p12");
            ca.keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                    "-validity", "2", "-keystore", "server.p12");
            ca.keytool("-certreq", "-alias", "server", "-file", "server.csr", "-keystore", "server.p12");
            ca.keytool("-gencert", "-alias", "ca", "-infile", "server.csr", "-outfile", "server.pem", "-rfc",
                    "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", "ca.p12");
            ca.keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-noprompt", "-keystore", "server.p12");
            ca.keytool("-importcert", "-alias", "server", "-file", "server.pem", "-keystore", "server.p12");
            return ca;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The CA certificate, PEM: what {@code git-ca-file} names. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** TLS for a server presenting the certificate the CA signed for 127.0.0.1. */
    public SSLContext serverContext() {
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASS.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASS.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the server certificate", e);
        }
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", PASS, "-keypass", PASS, "-storetype", "PKCS12"));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
