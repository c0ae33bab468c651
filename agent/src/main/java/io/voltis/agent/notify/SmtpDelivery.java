package io.voltis.agent.notify;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;
import java.util.Properties;

import javax.net.ssl.SSLContext;

import io.voltis.agent.config.ConfigException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Email through Jakarta Mail (Angus Mail), loaded only when an {@code smtp} target is configured.
 * {@code smtps://host[:465]} is TLS from the first byte; {@code smtp://host[:587]} upgrades with
 * STARTTLS when the server offers it and requires it whenever a password is configured: a
 * password never crosses the network in clear. Server certificates are checked (host name too)
 * against the JVM's CAs or the target's {@code ca-file}. The subject names the device, the kind,
 * the revision and the reason; the body is the fields as text, then the JSON.
 */
final class SmtpDelivery implements Delivery {

    private final NotifyTarget target;
    private final Properties props;
    /** Made at the first delivery: the mail session loads its providers, which an idle device never needs. */
    private Session session;
    private final String password;
    private final InternetAddress from;
    private final InternetAddress[] to;

    SmtpDelivery(NotifyTarget target) throws ConfigException {
        this.target = target;
        this.password = target.smtpPasswordFile() == null ? null
                : NotifyTargets.secret(target.smtpPasswordFile(), "notify " + target.name() + ": smtp-password-file");
        boolean tls = target.smtp().getScheme().equalsIgnoreCase("smtps");
        String p = tls ? "mail.smtps." : "mail.smtp.";
        props = new Properties();
        props.put(p + "host", target.smtp().getHost());
        props.put(p + "port", String.valueOf(target.smtp().getPort() > 0 ? target.smtp().getPort() : tls ? 465 : 587));
        long millis = target.timeout().toMillis();
        props.put(p + "connectiontimeout", String.valueOf(millis));
        props.put(p + "timeout", String.valueOf(millis));
        props.put(p + "writetimeout", String.valueOf(millis));
        props.put(p + "auth", String.valueOf(password != null));
        props.put(p + "ssl.checkserveridentity", "true");
        if (!tls) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", String.valueOf(password != null));
        }
        SSLContext context = NotifyTargets.tls(target);
        if (context != null) {
            props.put(p + "ssl.socketFactory", context.getSocketFactory());
        }
        try {
            this.from = new InternetAddress(target.from(), true);
            this.to = new InternetAddress[target.to().size()];
            for (int i = 0; i < to.length; i++) {
                to[i] = new InternetAddress(target.to().get(i), true);
            }
        } catch (jakarta.mail.internet.AddressException e) {
            throw new ConfigException("notify " + target.name() + ": not an email address: " + e.getRef());
        }
    }

    private synchronized Session session() {
        if (session == null) {
            session = Session.getInstance(props);
        }
        return session;
    }

    @Override
    public void send(String id, String payload, Map<String, Object> fields) throws DeliveryException {
        boolean tls = target.smtp().getScheme().equalsIgnoreCase("smtps");
        try {
            MimeMessage message = new MimeMessage(session());
            message.setFrom(from);
            message.setRecipients(Message.RecipientType.TO, to);
            message.setSubject(subject(fields), StandardCharsets.UTF_8.name());
            message.setSentDate(new Date());
            message.setHeader("X-Voltis-Id", id);
            message.setText(body(fields, payload), StandardCharsets.UTF_8.name());
            try (Transport transport = session().getTransport(tls ? "smtps" : "smtp")) {
                transport.connect(target.smtpUser(), password);
                transport.sendMessage(message, to);
            }
        } catch (AuthenticationFailedException e) {
            throw new DeliveryException(DeliveryException.Reason.AUTH_FAILED, target.address() + " refused the login of "
                    + (target.smtpUser() == null ? "(no user)" : target.smtpUser()) + ": " + first(e));
        } catch (MessagingException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            DeliveryException.Reason reason = cause instanceof javax.net.ssl.SSLException
                    ? DeliveryException.Reason.TLS_FAILED
                    : cause instanceof java.net.SocketTimeoutException ? DeliveryException.Reason.TIMED_OUT
                    : cause instanceof java.io.IOException ? DeliveryException.Reason.TARGET_UNREACHABLE
                    : DeliveryException.Reason.TARGET_REFUSED;
            throw new DeliveryException(reason, target.address() + ": " + first(e)
                    + (cause != e ? " (" + first(cause) + ")" : ""));
        }
    }

    private static String first(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.strip().lines().findFirst().orElse("");
    }

    /** "[voltis] edge-01: ApplyFailed 9b1d2c3a4f5e (FilesFailed)" */
    static String subject(Map<String, Object> f) {
        Object rev = f.get("revision");
        return "[voltis] " + f.get("device") + ": " + f.get("kind")
                + (rev == null ? "" : " " + rev.toString().substring(0, Math.min(12, rev.toString().length())))
                + (f.get("reason") == null ? "" : " (" + f.get("reason") + ")");
    }

    static String body(Map<String, Object> f, String payload) {
        StringBuilder b = new StringBuilder();
        for (String k : java.util.List.of("device", "workload", "kind", "severity", "revision", "previousRevision", "reason",
                "message", "time", "id")) {
            if (f.get(k) != null) {
                b.append(k).append(": ").append(f.get(k)).append('\n');
            }
        }
        return b.append('\n').append(payload).append('\n').toString();
    }
}
