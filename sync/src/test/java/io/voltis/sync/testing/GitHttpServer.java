package io.voltis.sync.testing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.http.server.resolver.DefaultUploadPackFactory;
import org.eclipse.jgit.lib.Repository;

/**
 * A real smart-HTTP Git server: JGit's {@link GitServlet} deployed in Undertow on
 * {@code 127.0.0.1} (random port), serving one {@link TestRepo} read-only at {@code /git/repo.git}.
 *
 * <p>Guarantees: protocol v2 is really spoken when the client asks for it (the {@code Git-Protocol}
 * header reaches {@code UploadPack} through {@link DefaultUploadPackFactory}). With credentials
 * configured, every request without the right HTTP Basic header gets 401 and
 * {@code WWW-Authenticate: Basic}. {@link #requestCount()} and {@link #bytesSent()} are updated
 * before the bytes leave the servlet, so they are complete as soon as a client call returns.
 * After {@link #stop()} connections are refused; {@link #restart()} listens on the same port again,
 * so {@link #url()} stays valid (it throws if another process took the port meanwhile).
 */
public final class GitHttpServer implements AutoCloseable {

    private static final String REPO_NAME = "repo.git";

    private final DeploymentManager deployment;
    private final HttpHandler handler;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final int port;
    private final javax.net.ssl.SSLContext tls; // null: plain http
    private Undertow undertow; // null while stopped

    private GitHttpServer(TestRepo repo, BiPredicate<String, String> credentials) {
        this(repo, credentials, null);
    }

    private GitHttpServer(TestRepo repo, BiPredicate<String, String> credentials, javax.net.ssl.SSLContext tls) {
        this.tls = tls;
        GitServlet git = new GitServlet();
        Repository served = repo.repository();
        git.setRepositoryResolver((req, name) -> {
            if (!REPO_NAME.equals(name)) {
                throw new RepositoryNotFoundException(name);
            }
            served.incrementOpen(); // GitServlet closes each repository it is given
            return served;
        });
        git.setUploadPackFactory(new DefaultUploadPackFactory());
        git.setReceivePackFactory(null); // read-only: push is not offered
        Filter gate = (rq, rs, chain) -> {
            requests.incrementAndGet();
            if (credentials != null && !authorized((HttpServletRequest) rq, credentials)) {
                HttpServletResponse rsp = (HttpServletResponse) rs;
                rsp.setHeader("WWW-Authenticate", "Basic realm=\"voltis-test\"");
                rsp.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                return;
            }
            chain.doFilter(rq, new CountingResponse((HttpServletResponse) rs, bytes));
        };
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(GitHttpServer.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("voltis-test-git")
                .addFilter(Servlets.filter("gate", Filter.class, new ImmediateInstanceFactory<>(gate)))
                .addFilterUrlMapping("gate", "/*", DispatcherType.REQUEST)
                .addServlet(Servlets.servlet("git", GitServlet.class, new ImmediateInstanceFactory<>(git))
                        .addMapping("/git/*")
                        .setLoadOnStartup(1));
        deployment = Servlets.newContainer().addDeployment(info);
        deployment.deploy();
        try {
            handler = deployment.start();
        } catch (ServletException e) {
            throw new IllegalStateException("cannot start GitServlet", e);
        }
        undertow = listen(0);
        port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Serves {@code repo} over HTTPS with {@code tls}'s certificate (see {@link TestCa}), to {@code token} as password. */
    public static GitHttpServer httpsWithToken(TestRepo repo, javax.net.ssl.SSLContext tls, String token) {
        return new GitHttpServer(repo, (u, p) -> token.equals(p), tls);
    }

    /** Serves {@code repo} without authentication. */
    public static GitHttpServer open(TestRepo repo) {
        return new GitHttpServer(repo, null);
    }

    /** Serves {@code repo} to HTTP Basic {@code user:password} only. */
    public static GitHttpServer withBasicAuth(TestRepo repo, String user, String password) {
        return new GitHttpServer(repo, (u, p) -> user.equals(u) && password.equals(p));
    }

    /** Serves {@code repo} to HTTP Basic with any user name and {@code token} as password (GitHub/GitLab style). */
    public static GitHttpServer withToken(TestRepo repo, String token) {
        return new GitHttpServer(repo, (u, p) -> token.equals(p));
    }

    /** Serves {@code repo} to HTTP Basic with the token {@code current} holds at each request: a rotation is a set. */
    public static GitHttpServer withRotatingToken(TestRepo repo, java.util.function.Supplier<String> current) {
        return new GitHttpServer(repo, (u, p) -> current.get().equals(p));
    }

    /** {@code http://127.0.0.1:PORT/git/repo.git} ({@code https://} when serving TLS). */
    public String url() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port + "/git/" + REPO_NAME;
    }

    public int port() {
        return port;
    }

    /** HTTP requests received since start, rejected ones (401) included. */
    public int requestCount() {
        return requests.get();
    }

    /** Response body bytes written by GitServlet since start (after its gzip; headers not counted). */
    public long bytesSent() {
        return bytes.get();
    }

    /** Closes the listener and its connections: clients then get "connection refused". Idempotent. */
    public synchronized void stop() {
        if (undertow != null) {
            undertow.stop();
            undertow = null;
        }
    }

    /** Stops if running, then listens on the same port again. */
    public synchronized void restart() {
        stop();
        undertow = listen(port);
    }

    @Override
    public synchronized void close() {
        stop();
        try {
            deployment.stop();
        } catch (ServletException e) {
            throw new IllegalStateException(e);
        }
        deployment.undeploy();
    }

    private Undertow listen(int onPort) {
        Undertow.Builder builder = Undertow.builder()
                .setIoThreads(1)
                .setWorkerThreads(4)
                .setHandler(handler);
        Undertow server = (tls == null ? builder.addHttpListener(onPort, "127.0.0.1")
                : builder.addHttpsListener(onPort, "127.0.0.1", tls)).build();
        server.start();
        return server;
    }

    private static boolean authorized(HttpServletRequest req, BiPredicate<String, String> credentials) {
        String header = req.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon >= 0 && credentials.test(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
}
