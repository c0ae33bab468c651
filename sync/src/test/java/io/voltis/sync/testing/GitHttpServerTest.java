package io.voltis.sync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHttpServerTest {

    @TempDir
    Path tmp;

    @Test
    void open_jgitClone_checksOutHead() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitHttpServer server = GitHttpServer.open(origin)) {
            String sha = origin.commit("one", Map.of("app/config.yaml", "port: 80\n"));

            try (Git clone = Git.cloneRepository().setURI(server.url())
                    .setDirectory(tmp.resolve("c").toFile()).call()) {
                assertThat(clone.getRepository().resolve("HEAD").name()).isEqualTo(sha);
            }
            assertThat(Files.readString(tmp.resolve("c/app/config.yaml"))).isEqualTo("port: 80\n");
            assertThat(server.url()).matches("http://127\\.0\\.0\\.1:\\d+/git/repo\\.git");
        }
    }

    @Test
    void open_gitProtocolHeader_answersWithProtocolV2() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitHttpServer server = GitHttpServer.open(origin)) {
            String sha = origin.commit("one", Map.of("f", "1"));
            HttpClient http = HttpClient.newHttpClient();
            URI refs = URI.create(server.url() + "/info/refs?service=git-upload-pack");

            String v2 = http.send(HttpRequest.newBuilder(refs).header("Git-Protocol", "version=2").build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String v0 = http.send(HttpRequest.newBuilder(refs).build(), HttpResponse.BodyHandlers.ofString()).body();

            assertThat(v2).contains("version 2", "ls-refs", "fetch=").doesNotContain(sha);
            assertThat(v0).contains(sha + " HEAD").doesNotContain("version 2");
        }
    }

    @Test
    void withBasicAuth_rightPasswordWorks_wrongPasswordNotAuthorized() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitHttpServer server = GitHttpServer.withBasicAuth(origin, "deploy", "s3cret")) {
            String sha = origin.commit("one", Map.of("f", "1"));

            assertThat(headOver(server, new UsernamePasswordCredentialsProvider("deploy", "s3cret"))).isEqualTo(sha);
            assertNotAuthorized(() -> headOver(server, new UsernamePasswordCredentialsProvider("deploy", "wrong")));
            assertNotAuthorized(() -> headOver(server, new UsernamePasswordCredentialsProvider("other", "s3cret")));
            assertThatThrownBy(() -> headOver(server, null))
                    .isInstanceOf(TransportException.class).hasMessageContaining("Authentication is required");
        }
    }

    @Test
    void withToken_anyUserNameWithTokenWorks_wrongTokenNotAuthorized() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitHttpServer server = GitHttpServer.withToken(origin, "glpat-123")) {
            String sha = origin.commit("one", Map.of("f", "1"));

            assertThat(headOver(server, new UsernamePasswordCredentialsProvider("oauth2", "glpat-123"))).isEqualTo(sha);
            assertThat(headOver(server, new UsernamePasswordCredentialsProvider("x-access-token", "glpat-123")))
                    .isEqualTo(sha);
            assertNotAuthorized(() -> headOver(server, new UsernamePasswordCredentialsProvider("oauth2", "glpat-999")));
        }
    }

    @Test
    void stop_refusesConnections_restart_servesSameUrlAgain() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitHttpServer server = GitHttpServer.open(origin)) {
            String sha = origin.commit("one", Map.of("f", "1"));
            String url = server.url();
            assertThat(headOver(server, null)).isEqualTo(sha);

            server.stop();
            assertThatThrownBy(() -> headOver(server, null))
                    .isInstanceOf(TransportException.class)
                    .hasRootCauseInstanceOf(ConnectException.class);

            server.restart();
            assertThat(server.url()).isEqualTo(url);
            assertThat(headOver(server, null)).isEqualTo(sha);
        }
    }

    @Test
    void counters_cloneOfLargeFileSendsFarMoreBytesThanLsRemote() throws Exception {
        try (TestRepo origin = TestRepo.create(tmp.resolve("origin.git"));
                GitHttpServer server = GitHttpServer.open(origin)) {
            byte[] noise = new byte[300_000];
            new Random(42).nextBytes(noise); // incompressible
            origin.commitBytes("big", Map.of("blob.bin", noise));

            int requests0 = server.requestCount();
            long bytes0 = server.bytesSent();
            headOver(server, null);
            long lsBytes = server.bytesSent() - bytes0;
            int lsRequests = server.requestCount() - requests0;
            long bytes1 = server.bytesSent();
            Git.cloneRepository().setURI(server.url()).setDirectory(tmp.resolve("c").toFile()).call().close();
            long cloneBytes = server.bytesSent() - bytes1;

            assertThat(lsRequests).isPositive();
            assertThat(lsBytes).isPositive().isLessThan(2_000);
            assertThat(cloneBytes).isGreaterThan(300_000);
        }
    }

    private static String headOver(GitHttpServer server, CredentialsProvider credentials) throws Exception {
        return Git.lsRemoteRepository().setRemote(server.url()).setHeads(true).setCredentialsProvider(credentials)
                .callAsMap().get("refs/heads/main").getObjectId().name();
    }

    private static void assertNotAuthorized(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(TransportException.class).hasMessageContaining("not authorized");
    }
}
