package io.voltis.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.voltis.agent.reconcile.AgentFixture;
import io.voltis.sync.testing.GitHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The bearer token, and credentials that must never show: in responses, events, metrics or logs. */
class ApiSecurityTest {

    static final String TOKEN = "t0k3n-for-the-status-api-0123456789";
    static final String GIT_SECRET = "gh-s3cr3t-pat-value-42";

    @TempDir
    Path tmp;

    AgentFixture f;
    ApiServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (f != null) {
            f.close();
        }
    }

    Path tokenFile(String perms, String content) throws Exception {
        Path file = tmp.resolve("api-token");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
        return file;
    }

    void serveWithToken() throws Exception {
        f = new AgentFixture(tmp);
        f.origin.commit("v1", ApiServerTest.workload("hello"));
        f.start();
        f.converge();
        server = ApiServer.start(ApiServer.Settings.of("127.0.0.1", 0, TokenFile.read(tokenFile("rw-------", TOKEN + "\n"))),
                f.agent.apiSources());
    }

    @Test
    void withAToken_readsWithoutItAre401_probesAndPageStayOpen() throws Exception {
        serveWithToken();
        Http anonymous = new Http(server.port());
        Http wrong = new Http(server.port(), TOKEN + "x");
        Http right = new Http(server.port(), TOKEN);

        for (String path : List.of("/api/v1/status", "/api/v1/revisions", "/api/v1/events", "/metrics",
                "/api/v1/services/web/logs", "/api/v1/nowhere")) {
            HttpResponse<String> r = anonymous.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).contains("Bearer realm=\"voltis\"");
            assertThat(wrong.get(path).statusCode()).as(path).isEqualTo(401);
            assertThat(wrong.get(path).body()).doesNotContain(TOKEN);
        }
        assertThat(right.get("/api/v1/status").statusCode()).isEqualTo(200);
        assertThat(right.get("/metrics").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/readyz").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/").body()).doesNotContain("dev1");
    }

    @Test
    void tokenFile_readableByEveryone_isRefused() throws Exception {
        Path file = tokenFile("rw-r--r--", TOKEN);

        assertThatThrownBy(() -> TokenFile.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("api token file " + file + " is readable by everyone: chmod 600 (or 640 for a group) it");
    }

    @Test
    void tokenFile_tooShortOrMissing_isRefused_withoutEchoingIt() throws Exception {
        Path file = tokenFile("rw-------", "short\n");

        assertThatThrownBy(() -> TokenFile.read(file)).hasMessage("api token file " + file
                + " must hold a token of at least 16 characters on its first line");
        assertThatThrownBy(() -> TokenFile.read(tmp.resolve("none"))).hasMessageStartingWith("cannot read api token file "
                + tmp.resolve("none"));
    }

    @Test
    void credentialInTheRepoUrl_neverAppearsInResponsesEventsMetricsOrLogs() throws Exception {
        LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(logs);
        captured.start();
        Logger root = logs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(captured);
        ch.qos.logback.classic.Level rootLevel = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.INFO); // at least what the daemon logs (cli's LogConfigurator)
        logs.getLogger("io.voltis").setLevel(ch.qos.logback.classic.Level.DEBUG);
        f = new AgentFixture(tmp);
        f.origin.commit("v1", ApiServerTest.workload("hello"));
        try (GitHttpServer git = GitHttpServer.withBasicAuth(f.origin, "fleet", GIT_SECRET)) {
            f.repoUrl = git.url().replace("http://", "http://fleet:" + GIT_SECRET + "@");
            f.start();
            f.converge();
            String applied = f.agent.status().appliedRevision();
            assertThat(applied).isEqualTo(f.origin.head());
            git.stop(); // now every poll fails, with the URL in JGit's message
            f.agent.pollNow();
            f.agent.tickNow();
            server = ApiServer.start(ApiServer.Settings.of("127.0.0.1", 0, null), f.agent.apiSources());
            Http http = new Http(server.port());

            List<String> seen = new ArrayList<>();
            for (String path : List.of("/api/v1/status", "/api/v1/revisions", "/api/v1/revisions/" + applied,
                    "/api/v1/events?limit=1000", "/metrics", "/api/v1/services/web/logs", "/")) {
                HttpResponse<String> r = http.get(path);
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                seen.add(r.body());
                seen.add(r.headers().map().toString());
            }
            captured.list.forEach(e -> seen.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : " " + e.getThrowableProxy().getMessage())));

            assertThat(seen.get(0)).contains("\"url\" : \"" + git.url() + "\"").contains("\"reachable\" : false");
            assertThat(captured.list).isNotEmpty();
            assertThat(seen).allSatisfy(text -> assertThat(text).doesNotContain(GIT_SECRET).doesNotContain("fleet:"));
        } finally {
            root.detachAppender(captured);
            root.setLevel(rootLevel);
            logs.getLogger("io.voltis").setLevel(null);
        }
    }
}
