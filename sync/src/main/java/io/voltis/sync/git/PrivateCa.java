package io.voltis.sync.git;

import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * {@code git-ca-file}: the certificate authorities (a PEM bundle) trusted for HTTPS to the Git
 * server, in place of the JVM's. JGit reads no {@code http.sslCAInfo}; its connection factory is
 * set per transport, so nothing process-wide changes. Host names are still verified.
 */
public final class PrivateCa {

    private PrivateCa() {
    }

    /** A connection factory trusting only the CAs in {@code file}; fails with one line naming the file. */
    static HttpConnectionFactory factory(Path file) throws SourceException {
        TrustManager[] trust = trustManagers(file);
        JDKHttpConnectionFactory jdk = new JDKHttpConnectionFactory();
        return new HttpConnectionFactory() {
            @Override
            public HttpConnection create(URL url) throws IOException {
                return trusting(jdk.create(url), url);
            }

            @Override
            public HttpConnection create(URL url, Proxy proxy) throws IOException {
                return trusting(jdk.create(url, proxy), url);
            }

            private HttpConnection trusting(HttpConnection connection, URL url) throws IOException {
                if ("https".equalsIgnoreCase(url.getProtocol())) {
                    try {
                        connection.configure(null, trust, null);
                    } catch (GeneralSecurityException e) {
                        throw new IOException("cannot use the CAs of " + file + ": " + e.getMessage(), e);
                    }
                }
                return connection;
            }
        };
    }

    /** Checks that {@code file} can be read and holds at least one certificate; a one-line error otherwise. */
    public static void check(Path file) throws SourceException {
        trustManagers(file);
    }

    static TrustManager[] trustManagers(Path file) throws SourceException {
        return trustManagers(file, "git-ca-file");
    }

    /** The trust managers of the CAs in {@code file}, named {@code setting} in errors (one line). */
    public static TrustManager[] trustManagers(Path file, String setting) throws SourceException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new SourceException(Reason.LOCAL_ERROR, setting + " " + file + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (IOException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot read " + setting + " " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new SourceException(Reason.LOCAL_ERROR, setting + " " + file + " is not a PEM bundle of certificates: "
                    + e.getMessage(), e);
        }
    }
}
