package io.voltis.agent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.RevisionStore;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Email to a real SMTP server (GreenMail, in the test JVM, on loopback): a failed job arrives as a
 * mail naming the device, the job and its error; an SMTPS server (its certificate made here with
 * keytool, trusted through the target's ca-file) that refuses the login shows why in status.
 */
class NotifierMailTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private GreenMail mail;
    private RevisionStore store;
    private Notifier notifier;

    @AfterEach
    void stop() {
        if (notifier != null) {
            notifier.close();
        }
        if (store != null) {
            store.close();
        }
        if (mail != null) {
            mail.stop();
        }
    }

    @Test
    void aFailedJob_arrivesAsAMail_namingTheDeviceTheJobAndItsError() throws Exception {
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        store = RevisionStore.openOwner(tmp.resolve("state"), Clock.systemUTC());
        notifier = Notifier.start(NotifierTest.targets("- {name: mail, smtp: 'smtp://127.0.0.1:" + mail.getSmtp().getPort()
                        + "', from: voltis@example.com, to: [ops@example.com, oncall@example.com]}"), "edge-01", store,
                Clock.systemUTC(), Map.of(), NotifierTest.FAST, Notifier.Counter.NONE);

        store.addEvent(EventType.JOB_FAILED, NotifierTest.A, "backup: failed, exit 2 (cron); last output: tar: /data: No space left");

        await().atMost(PATIENCE).until(() -> mail.getReceivedMessages().length == 2);
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[voltis] edge-01: JobFailed " + NotifierTest.A.substring(0, 12) + " (JobFailed)");
        assertThat(m.getFrom()[0].toString()).isEqualTo("voltis@example.com");
        String body = (String) m.getContent();
        assertThat(body).contains("device: edge-01", "kind: JobFailed", "backup: failed, exit 2", "No space left");
        assertThat(m.getHeader("X-Voltis-Id")[0]).isNotBlank();
        assertThat(mail.getReceivedMessagesForDomain("example.com")).hasSize(2);
    }

    @Test
    void anSmtpsServerRefusingTheLogin_isShownInStatusWithItsReason_andTheNoticeWaits() throws Exception {
        Path keystore = tmp.resolve("smtp.p12");
        Path ca = tmp.resolve("smtp-ca.pem");
        keytool("-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-keypass", "changeit", "-alias", "greenmail", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        keytool("-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", "changeit", "-alias", "greenmail",
                "-file", ca.toString());
        System.setProperty("greenmail.tls.keystore.file", keystore.toString());
        System.setProperty("greenmail.tls.keystore.password", "changeit");
        System.setProperty("greenmail.tls.key.password", "changeit");
        mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("voltis@example.com", "voltis", "right"));
        mail.start();
        Path password = tmp.resolve("smtp-password");
        Files.writeString(password, "wrong\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        store = RevisionStore.openOwner(tmp.resolve("state"), Clock.systemUTC());
        notifier = Notifier.start(NotifierTest.targets("- {name: mail, smtp: 'smtps://127.0.0.1:" + mail.getSmtps().getPort()
                        + "', smtp-user: voltis, smtp-password-file: " + password + ", ca-file: " + ca
                        + ", from: voltis@example.com, to: [ops@example.com]}"), "edge-01", store, Clock.systemUTC(), Map.of(),
                NotifierTest.FAST, Notifier.Counter.NONE);

        store.addEvent(EventType.APPLY_FAILED, NotifierTest.A, "FilesFailed: bad");

        await().atMost(PATIENCE).until(() -> notifier.status().get(0).failing());
        var shown = notifier.status().get(0);
        assertThat(shown.lastError()).startsWith("AuthFailed: smtps://127.0.0.1:" + mail.getSmtps().getPort()
                + " to ops@example.com refused the login of voltis");
        assertThat(shown.lastError()).doesNotContain("wrong");
        assertThat(shown.pending()).isEqualTo(1);
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
