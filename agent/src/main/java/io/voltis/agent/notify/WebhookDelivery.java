package io.voltis.agent.notify;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import io.voltis.agent.config.ConfigException;

/**
 * A JSON webhook: {@code POST} of the notice with {@code Content-Type: application/json},
 * {@code X-Voltis-Id} (its stable id) and, with an {@code hmac-secret-file},
 * {@code X-Voltis-Signature: sha256=<hex of HMAC-SHA256(body)>}. Any 2xx answer is delivered;
 * redirects are not followed (a 3xx is refused: the body would not be signed for its new place).
 */
final class WebhookDelivery implements Delivery {

    /** NOTE: docs/notifications.md shows receivers checking these. */
    static final String SIGNATURE = "X-Voltis-Signature";
    static final String ID = "X-Voltis-Id";

    private final NotifyTarget target;
    private final SSLContext tls;
    private final byte[] secret;
    /** Made at the first delivery: Java's HTTP client and TLS are some 1,100 classes an idle device never needs. */
    private HttpClient client;

    WebhookDelivery(NotifyTarget target) throws ConfigException {
        this.target = target;
        this.secret = target.hmacSecretFile() == null ? null
                : NotifyTargets.secret(target.hmacSecretFile(), "notify " + target.name() + ": hmac-secret-file")
                        .getBytes(StandardCharsets.UTF_8);
        this.tls = NotifyTargets.tls(target); // a bad CA file is a config error at start, not at the first failure
    }

    private synchronized HttpClient client() {
        if (client == null) {
            HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(target.timeout())
                    .followRedirects(HttpClient.Redirect.NEVER);
            if (tls != null) {
                builder.sslContext(tls);
            }
            client = builder.build();
        }
        return client;
    }

    /** {@code sha256=<hex>} of the body under {@code secret}. */
    static String signature(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public void send(String id, String payload, Map<String, Object> fields) throws DeliveryException, InterruptedException {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(target.webhook()).timeout(target.timeout())
                .header("Content-Type", "application/json").header("User-Agent", "voltis-agent").header(ID, id)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            request.header(SIGNATURE, signature(secret, body));
        }
        HttpResponse<Void> response;
        try {
            response = client().send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (HttpConnectTimeoutException e) {
            throw new DeliveryException(DeliveryException.Reason.TIMED_OUT, "no connection to " + target.address()
                    + " within " + io.voltis.model.Durations.format(target.timeout()));
        } catch (HttpTimeoutException e) {
            throw new DeliveryException(DeliveryException.Reason.TIMED_OUT, target.address() + " did not answer within "
                    + io.voltis.model.Durations.format(target.timeout()));
        } catch (SSLException e) {
            throw new DeliveryException(DeliveryException.Reason.TLS_FAILED, "TLS with " + target.address() + " failed: "
                    + e.getMessage());
        } catch (ConnectException e) {
            throw new DeliveryException(DeliveryException.Reason.TARGET_UNREACHABLE, "cannot connect to " + target.address());
        } catch (IOException e) {
            throw new DeliveryException(DeliveryException.Reason.TARGET_UNREACHABLE, "cannot reach " + target.address()
                    + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        int code = response.statusCode();
        if (code < 200 || code > 299) {
            throw new DeliveryException(DeliveryException.Reason.TARGET_REFUSED, "HTTP " + code + " from " + target.address());
        }
    }
}
