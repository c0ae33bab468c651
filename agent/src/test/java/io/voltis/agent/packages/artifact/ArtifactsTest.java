package io.voltis.agent.packages.artifact;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.voltis.agent.packages.artifact.TestArchives.dir;
import static io.voltis.agent.packages.artifact.TestArchives.executable;
import static io.voltis.agent.packages.artifact.TestArchives.file;
import static io.voltis.agent.packages.artifact.TestArchives.hardLink;
import static io.voltis.agent.packages.artifact.TestArchives.sha256;
import static io.voltis.agent.packages.artifact.TestArchives.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;

import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.PackageInstaller.Outcome;
import io.voltis.agent.packages.PackageRequest;

/**
 * {@link Artifacts} against a real HTTP server (WireMock on 127.0.0.1, a dynamic port) and a
 * real file system. Only the waits between attempts are recorded instead of slept.
 */
class ArtifactsTest {

    private static final byte[] GATEWAY = TestArchives.tarGz(
            dir("bin"),
            executable("bin/gateway", "#!/bin/sh\necho gateway 1.4\n"),
            file("etc/gateway.conf", "port=8080\n"),
            symlink("bin/gw", "gateway"),
            symlink("lib/gateway", "../bin/gateway"),
            hardLink("bin/gateway-copy", "bin/gateway"));

    @TempDir
    Path dir;

    private WireMockServer server;
    private final RecordingSleeper sleeper = new RecordingSleeper();
    private Path cache;
    private Path extractTo;
    private Artifacts artifacts;

    @BeforeEach
    void start() {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        cache = dir.resolve("state/artifacts");
        extractTo = dir.resolve("root/opt/gateway");
        artifacts = new Artifacts(cache, new ArtifactOptions(Duration.ofSeconds(5), Duration.ofMillis(500),
                Duration.ofSeconds(30), 3, Duration.ofSeconds(1)), sleeper);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    private void serve(String path, byte[] body) {
        server.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(200).withBody(body)));
    }

    private PackageRequest request(String path, byte[] body) {
        return new PackageRequest("gateway-bin", null, url(path), sha256(body), extractTo);
    }

    private int requests() {
        return server.getAllServeEvents().size();
    }

    static Stream<Arguments> archives() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (String name : List.of("gateway-1.4.tar.gz", "gateway-1.4.tgz")) {
            cases.add(Arguments.of(name, GATEWAY));
        }
        TestArchives.Entry[] entries = {executable("bin/gateway", "#!/bin/sh\necho gateway 1.4\n"),
                file("etc/gateway.conf", "port=8080\n"), symlink("bin/gw", "gateway")};
        cases.add(Arguments.of("gateway-1.4.tar", TestArchives.tar(entries)));
        cases.add(Arguments.of("gateway-1.4.zip", TestArchives.zip(entries)));
        cases.add(Arguments.of("download", GATEWAY)); // no extension: recognised by its bytes
        return cases.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("archives")
    void ensure_archive_isUnpackedIntoExtractToWithExecutableBitsKept(String fileName, byte[] archive)
            throws Exception {
        serve("/releases/" + fileName, archive);

        Outcome outcome = artifacts.ensure(request("/releases/" + fileName, archive));

        assertThat(outcome).isEqualTo(Outcome.INSTALLED);
        assertThat(extractTo.resolve("bin/gateway")).hasContent("#!/bin/sh\necho gateway 1.4");
        assertThat(Files.getPosixFilePermissions(extractTo.resolve("bin/gateway")))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.getPosixFilePermissions(extractTo.resolve("etc/gateway.conf")))
                .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(Files.readSymbolicLink(extractTo.resolve("bin/gw"))).isEqualTo(Path.of("gateway"));
        assertThat(extractTo.resolve(".voltis-artifact")).hasContent(sha256(archive));
        assertThat(requests()).isEqualTo(1);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void ensure_tarGzWithLinksInside_keepsThem() throws Exception {
        serve("/gateway-1.4.tar.gz", GATEWAY);

        artifacts.ensure(request("/gateway-1.4.tar.gz", GATEWAY));

        assertThat(Files.readSymbolicLink(extractTo.resolve("lib/gateway"))).isEqualTo(Path.of("../bin/gateway"));
        assertThat(extractTo.resolve("lib/gateway")).hasContent("#!/bin/sh\necho gateway 1.4");
        assertThat(extractTo.resolve("bin/gateway-copy")).hasContent("#!/bin/sh\necho gateway 1.4");
        assertThat(Files.isExecutable(extractTo.resolve("bin/gateway-copy"))).isTrue();
    }

    @Test
    void ensure_plainFile_isKeptAsIsAndRunnable() throws Exception {
        byte[] binary = "\u007fELF not really".getBytes();
        serve("/gateway-linux-arm64", binary);

        artifacts.ensure(request("/gateway-linux-arm64", binary));

        assertThat(extractTo.resolve("gateway-linux-arm64")).hasBinaryContent(binary);
        assertThat(Files.isExecutable(extractTo.resolve("gateway-linux-arm64"))).isTrue();
    }

    @Test
    void ensure_noExtractTo_keepsTheDownloadUnderTheCacheDirectory() throws Exception {
        serve("/gateway-1.4.tar.gz", GATEWAY);
        PackageRequest request = new PackageRequest("gateway-bin", null, url("/gateway-1.4.tar.gz"), sha256(GATEWAY),
                null);

        artifacts.ensure(request);

        assertThat(cache.resolve("gateway-bin/gateway-1.4.tar.gz")).hasBinaryContent(GATEWAY);
        assertThat(artifacts.ensure(request)).isEqualTo(Outcome.ALREADY_PRESENT);
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void ensure_alreadyPresent_asksTheServerNothing() throws Exception {
        serve("/gateway-1.4.tar.gz", GATEWAY);
        artifacts.ensure(request("/gateway-1.4.tar.gz", GATEWAY));
        server.resetRequests();

        Outcome outcome = artifacts.ensure(request("/gateway-1.4.tar.gz", GATEWAY));

        assertThat(outcome).isEqualTo(Outcome.ALREADY_PRESENT);
        assertThat(requests()).isZero();
    }

    @Test
    void ensure_changedSha256_downloadsAgainAndReplacesTheWholeDirectory() throws Exception {
        serve("/gateway-1.4.tar.gz", GATEWAY);
        artifacts.ensure(request("/gateway-1.4.tar.gz", GATEWAY));
        byte[] next = TestArchives.tarGz(executable("bin/gateway", "#!/bin/sh\necho gateway 1.5\n"));
        serve("/gateway-1.5.tar.gz", next);

        Outcome outcome = artifacts.ensure(request("/gateway-1.5.tar.gz", next));

        assertThat(outcome).isEqualTo(Outcome.INSTALLED);
        assertThat(extractTo.resolve("bin/gateway")).hasContent("#!/bin/sh\necho gateway 1.5");
        assertThat(extractTo.resolve("etc/gateway.conf")).doesNotExist();
        assertThat(extractTo.resolve(".voltis-artifact")).hasContent(sha256(next));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void ensure_checksumMismatch_installsNothingAndKeepsTheOldVersion() throws Exception {
        serve("/gateway-1.4.tar.gz", GATEWAY);
        artifacts.ensure(request("/gateway-1.4.tar.gz", GATEWAY));
        byte[] tampered = TestArchives.tarGz(executable("bin/gateway", "#!/bin/sh\necho evil\n"));
        serve("/gateway-1.5.tar.gz", tampered);
        String expected = "ab".repeat(32);

        assertThatThrownBy(() -> artifacts.ensure(new PackageRequest("gateway-bin", null, url("/gateway-1.5.tar.gz"),
                expected, extractTo)))
                .isInstanceOf(PackageException.class)
                .hasMessage("gateway-bin: checksum mismatch: expected " + expected + ", got " + sha256(tampered));
        assertThat(extractTo.resolve("bin/gateway")).hasContent("#!/bin/sh\necho gateway 1.4");
        assertThat(extractTo.resolve(".voltis-artifact")).hasContent(sha256(GATEWAY));
        assertThat(leftovers()).isEmpty();
        assertThat(sleeper.waits).isEmpty();
    }

    @Test
    void ensure_checksumMismatchOnFirstInstall_createsNoTarget() {
        serve("/gateway-1.4.tar.gz", GATEWAY);

        assertThatThrownBy(() -> artifacts.ensure(new PackageRequest("gateway-bin", null, url("/gateway-1.4.tar.gz"),
                "00".repeat(32), extractTo)))
                .hasMessageStartingWith("gateway-bin: checksum mismatch: expected 0000");
        assertThat(extractTo).doesNotExist();
    }

    @Test
    void ensure_notFound_failsAtOnceWithoutRetrying() {
        assertThatThrownBy(() -> artifacts.ensure(request("/missing.tar.gz", GATEWAY)))
                .isInstanceOf(PackageException.class)
                .hasMessage("gateway-bin: HTTP 404 from " + url("/missing.tar.gz"));
        assertThat(requests()).isEqualTo(1);
        assertThat(sleeper.waits).isEmpty();
    }

    @Test
    void ensure_serverErrorTwiceThenOk_succeedsOnTheThirdAttemptAfterBackingOff() throws Exception {
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("failed once"));
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("flaky").whenScenarioStateIs("failed once")
                .willReturn(aResponse().withStatus(502)).willSetStateTo("failed twice"));
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("flaky").whenScenarioStateIs("failed twice")
                .willReturn(aResponse().withStatus(200).withBody(GATEWAY)));

        Outcome outcome = artifacts.ensure(request("/gw.tar.gz", GATEWAY));

        assertThat(outcome).isEqualTo(Outcome.INSTALLED);
        assertThat(requests()).isEqualTo(3);
        assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(extractTo.resolve("bin/gateway")).exists();
    }

    @Test
    void ensure_serverKeepsFailing_givesUpAfterTheLastAttempt() {
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> artifacts.ensure(request("/gw.tar.gz", GATEWAY)))
                .hasMessage("gateway-bin: HTTP 503 from " + url("/gw.tar.gz") + " (gave up after 3 attempts)");
        assertThat(requests()).isEqualTo(3);
        assertThat(extractTo).doesNotExist();
    }

    @Test
    void ensure_connectionResetThenOk_succeeds() throws Exception {
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("reset").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("reset once"));
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("reset").whenScenarioStateIs("reset once")
                .willReturn(aResponse().withStatus(200).withBody(GATEWAY)));

        Outcome outcome = artifacts.ensure(request("/gw.tar.gz", GATEWAY));

        // NOTE: the JDK client itself resends a GET at once when the connection closes before any
        // response byte, so this reset may never reach Downloader's backoff; the outcome is the same.
        assertThat(outcome).isEqualTo(Outcome.INSTALLED);
        assertThat(requests()).isEqualTo(2);
        assertThat(extractTo.resolve("bin/gateway")).exists();
    }

    @Test
    void ensure_connectionBrokenMidBody_retriesWithBackoffAndLeavesNoPartialFile() throws Exception {
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("broken").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)).willSetStateTo("broken once"));
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("broken").whenScenarioStateIs("broken once")
                .willReturn(aResponse().withStatus(200).withBody(GATEWAY)));

        Outcome outcome = artifacts.ensure(request("/gw.tar.gz", GATEWAY));

        assertThat(outcome).isEqualTo(Outcome.INSTALLED);
        assertThat(requests()).isEqualTo(2);
        assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(1));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void ensure_slowServerThenOk_retriesAfterTheResponseTimeout() throws Exception {
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("slow").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(200).withBody(GATEWAY).withFixedDelay(3_000))
                .willSetStateTo("slow once"));
        server.stubFor(get(urlEqualTo("/gw.tar.gz")).inScenario("slow").whenScenarioStateIs("slow once")
                .willReturn(aResponse().withStatus(200).withBody(GATEWAY)));

        Outcome outcome = artifacts.ensure(request("/gw.tar.gz", GATEWAY));

        assertThat(outcome).isEqualTo(Outcome.INSTALLED);
        assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void ensure_nothingListening_retriesThenSaysItCannotConnect() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/gw.tar.gz";

        assertThatThrownBy(() -> artifacts.ensure(new PackageRequest("gateway-bin", null, url, sha256(GATEWAY),
                extractTo)))
                .isInstanceOf(PackageException.class)
                .hasMessage("gateway-bin: cannot connect to " + url + ": connection refused (gave up after 3 attempts)");
        assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void ensure_credentialsInUrl_areSentAsBasicAuthAndNeverShown() throws Exception {
        server.stubFor(get(urlEqualTo("/private/gw.tar.gz")).withBasicAuth("deploy", "s3cret")
                .willReturn(aResponse().withStatus(200).withBody(GATEWAY)));
        String base = "http://deploy:s3cret@127.0.0.1:" + server.port();

        artifacts.ensure(new PackageRequest("gateway-bin", null, base + "/private/gw.tar.gz", sha256(GATEWAY),
                extractTo));

        assertThat(extractTo.resolve("bin/gateway")).exists();
        assertThatThrownBy(() -> artifacts.ensure(new PackageRequest("other", null, base + "/private/nope.tgz?token=t0k",
                sha256(GATEWAY), dir.resolve("root/opt/other"))))
                .hasMessage("other: HTTP 404 from " + url("/private/nope.tgz") + "?…")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("t0k");
    }

    @Test
    void ensure_redirectToAnotherHost_followsItWithoutTheCredentials() throws Exception {
        WireMockServer mirror = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        mirror.start();
        try {
            mirror.stubFor(get(urlEqualTo("/blob/1")).willReturn(aResponse().withStatus(200).withBody(GATEWAY)));
            server.stubFor(get(urlEqualTo("/gw.tar.gz")).willReturn(aResponse().withStatus(302)
                    .withHeader("Location", "http://localhost:" + mirror.port() + "/blob/1")));
            String url = "http://deploy:s3cret@127.0.0.1:" + server.port() + "/gw.tar.gz";

            artifacts.ensure(new PackageRequest("gateway-bin", null, url, sha256(GATEWAY), extractTo));

            assertThat(extractTo.resolve("bin/gateway")).exists();
            server.verify(getRequestedFor(urlEqualTo("/gw.tar.gz")).withHeader("Authorization",
                    equalTo("Basic ZGVwbG95OnMzY3JldA==")));
            mirror.verify(1, getRequestedFor(urlEqualTo("/blob/1")).withoutHeader("Authorization"));
        } finally {
            mirror.stop();
        }
    }

    static Stream<Arguments> unsafeArchives() {
        return Stream.of(
                Arguments.of("tar entry ../../x", TestArchives.tarGz(file("ok", "fine"), file("../../x", "escaped")),
                        "archive entry '../../x' leaves the target directory"),
                Arguments.of("zip entry ../../x", TestArchives.zip(file("ok", "fine"), file("../../x", "escaped")),
                        "archive entry '../../x' leaves the target directory"),
                Arguments.of("link to ../../..", TestArchives.tarGz(symlink("up", "../../.."), file("ok", "fine")),
                        "archive entry 'up' is a symbolic link that points outside the target (../../..)"),
                Arguments.of("zip link to ..", TestArchives.zip(symlink("up", ".."), file("ok", "fine")),
                        "archive entry 'up' is a symbolic link that points outside the target (..)"),
                Arguments.of("link chain a -> ., b -> a/..", TestArchives.tarGz(symlink("a", "."), symlink("b", "a/..")),
                        "archive entry 'b' is a symbolic link that points outside the target (a/..)"),
                Arguments.of("link to an absolute path", TestArchives.tarGz(symlink("etc", "/etc")),
                        "archive entry 'etc' is a symbolic link to an absolute path (/etc)"),
                Arguments.of("file written through a link", TestArchives.tarGz(symlink("d", ".."), file("d/x", "escaped")),
                        "archive entry 'd' is a symbolic link where the archive already has a file"),
                Arguments.of("hard link to outside", TestArchives.tarGz(hardLink("x", "../../../etc/hostname")),
                        "archive entry '../../../etc/hostname' leaves the target directory"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsafeArchives")
    void ensure_entryEscapingTheTarget_refusesTheArchiveAndKeepsTheOldVersion(String scenario, byte[] archive,
                                                                             String reason) throws Exception {
        serve("/gateway-1.4.tar.gz", GATEWAY);
        artifacts.ensure(request("/gateway-1.4.tar.gz", GATEWAY));
        String path = "/evil" + (archive[0] == 'P' ? ".zip" : ".tar.gz");
        serve(path, archive);

        assertThatThrownBy(() -> artifacts.ensure(request(path, archive)))
                .isInstanceOf(PackageException.class)
                .hasMessage("gateway-bin: " + reason + "; nothing was installed in " + extractTo);

        assertThat(extractTo.resolve("bin/gateway")).hasContent("#!/bin/sh\necho gateway 1.4");
        assertThat(extractTo.resolve(".voltis-artifact")).hasContent(sha256(GATEWAY));
        assertThat(extractTo.resolve("ok")).doesNotExist();
        assertThat(filesNamed("x")).isEmpty();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void ensure_corruptArchive_failsNamingTheFormatAndInstallsNothing() {
        byte[] html = "<html>Service Unavailable</html>".getBytes();
        serve("/gateway-1.4.tar.gz", html);

        assertThatThrownBy(() -> artifacts.ensure(request("/gateway-1.4.tar.gz", html)))
                .isInstanceOf(PackageException.class)
                .hasMessageStartingWith("gateway-bin: cannot unpack gateway-1.4.tar.gz as tar.gz into " + extractTo + ": ");
        assertThat(extractTo).doesNotExist();
    }

    @Test
    void ensure_zipWithAbsoluteEntry_isRefusedAndWritesNothingThere() throws Exception {
        Path outside = dir.resolve("outside/evil");
        byte[] archive = TestArchives.zip(file("ok", "fine"), file(outside.toString(), "escaped"));
        serve("/evil.zip", archive);

        assertThatThrownBy(() -> artifacts.ensure(request("/evil.zip", archive)))
                .hasMessage("gateway-bin: archive entry '" + outside + "' is an absolute path; nothing was installed in "
                        + extractTo);
        assertThat(outside).doesNotExist();
        assertThat(extractTo).doesNotExist();
    }

    @Test
    void ensure_extractToHoldsSomeoneElsesFiles_refusesWithoutDownloading() throws Exception {
        Files.createDirectories(extractTo);
        Files.writeString(extractTo.resolve("notes.txt"), "mine");
        serve("/gateway-1.4.tar.gz", GATEWAY);

        assertThatThrownBy(() -> artifacts.ensure(request("/gateway-1.4.tar.gz", GATEWAY)))
                .hasMessage("gateway-bin: " + extractTo + " holds files that Voltis did not install (no .voltis-artifact);"
                        + " refusing to replace it");
        assertThat(extractTo.resolve("notes.txt")).hasContent("mine");
        assertThat(requests()).isZero();
    }

    @Test
    void ensure_afterACrashMidInstall_deletesLeftoversAndConverges() throws Exception {
        Path staged = Files.createDirectories(extractTo.resolveSibling(".gateway.voltis-new-123/bin"));
        Files.writeString(staged.resolve("half"), "half written");
        Files.writeString(Files.createDirectories(cache.resolve(".downloads")).resolve("gateway-bin-42.part"), "half");
        serve("/gateway-1.4.tar.gz", GATEWAY);

        artifacts.ensure(request("/gateway-1.4.tar.gz", GATEWAY));

        assertThat(extractTo.resolve("bin/gateway")).exists();
        assertThat(leftovers()).isEmpty();
    }

    /** Staging and aside directories beside the target, and partial downloads. */
    private List<Path> leftovers() throws IOException {
        Stream.Builder<Path> found = Stream.builder();
        if (Files.isDirectory(extractTo.getParent())) {
            try (Stream<Path> siblings = Files.list(extractTo.getParent())) {
                siblings.filter(p -> p.getFileName().toString().contains(".voltis-")).forEach(found);
            }
        }
        if (Files.isDirectory(cache.resolve(".downloads"))) {
            try (Stream<Path> parts = Files.list(cache.resolve(".downloads"))) {
                parts.forEach(found);
            }
        }
        return found.build().toList();
    }

    private List<Path> filesNamed(String name) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().equals(name))
                    .filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }
}
