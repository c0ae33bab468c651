package io.voltis.agent.hints;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import javax.net.ssl.SSLContext;

import io.voltis.sync.Doubling;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.TimerPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound MQTT subscription (Eclipse Paho): one thread that connects to {@code mqtt-url},
 * subscribes to the device's topic and the fleet's, and hands each message to {@link SyncHints}
 * as a fleet hint; the message's payload is never read (a hint carries no content). When the
 * broker is down at start or goes away, polling carries on as configured and the thread tries
 * again with a doubling wait (1 s to 60 s, with jitter, so a fleet does not reconnect as one);
 * the reason is in status and in the log once per change. Loaded only when {@code mqtt-url} is set.
 */
public final class MqttHints implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttHints.class);
    /** NOTE: docs/sync.md. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(60);

    private final HintSettings settings;
    private final String clientId;
    private final SyncHints hints;
    private final Clock clock;
    private final Thread thread;
    private final Object lock = new Object();
    private volatile boolean closed;
    private MqttAsyncClient client; // under lock
    private boolean lost; // under lock: the connection went away
    private volatile boolean connected;
    private volatile Instant since;
    private volatile String error;
    private volatile Instant errorSince;
    private volatile long received;

    private MqttHints(HintSettings settings, String hostname, SyncHints hints, Clock clock) {
        this.settings = settings;
        this.clientId = "voltis-" + hostname;
        this.hints = hints;
        this.clock = clock;
        this.thread = new Thread(this::run, "voltis-mqtt");
        thread.setDaemon(true);
    }

    /** Starts the subscription in the background; returns at once, whether or not the broker answers. */
    public static MqttHints start(HintSettings settings, String hostname, SyncHints hints, Clock clock) {
        MqttHints m = new MqttHints(settings, hostname, hints, clock);
        m.thread.start();
        LOG.info("check-now hints: subscribing to {} on {} (hint-spread {}, this device waits {})",
                String.join(" and ", settings.topics()), settings.mqttUrl(), pretty(settings.spread()), pretty(hints.fleetDelay()));
        return m;
    }

    public HintStatus status() {
        return new HintStatus("mqtt", settings.mqttUrl(), settings.topics(), pretty(hints.fleetDelay()), connected, since,
                received, hints.coalesced(), hints.lastHintAt(), error, errorSince);
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            try {
                connect();
                failures = 0;
                awaitLoss();
            } catch (MqttException | IOException | RuntimeException e) {
                failed(reason(e));
            }
            if (closed) {
                break;
            }
            failures++;
            long wait = Doubling.delay(FIRST_RETRY, MAX_RETRY, failures).toMillis();
            wait = Math.round(wait * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
            synchronized (lock) {
                try {
                    if (!closed) {
                        lock.wait(wait);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void connect() throws MqttException, IOException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setAutomaticReconnect(false); // this thread reconnects, from the first connection on
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(60);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (settings.username() != null) {
            o.setUserName(settings.username());
        }
        if (settings.passwordFile() != null) {
            String pw = Files.readString(settings.passwordFile(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
            o.setPassword(pw.toCharArray());
        }
        if (settings.mqttUrl().startsWith("ssl://")) {
            o.setSocketFactory(sslSockets());
            o.setHttpsHostnameVerificationEnabled(true);
        }
        MqttAsyncClient c = new MqttAsyncClient(settings.mqttUrl(), clientId, new MemoryPersistence(), new TimerPingSender(), null);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                synchronized (lock) {
                    lost = true;
                    lock.notifyAll();
                }
                connected = false;
                failed("connection lost: " + reason(cause));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                if (!settings.topics().contains(topic)) {
                    LOG.debug("MQTT message on {} ignored: not one of this device's topics", topic);
                    return;
                }
                received++;
                hints.fromFleet("MQTT " + topic);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // this client publishes nothing
            }
        });
        synchronized (lock) {
            if (closed) {
                return;
            }
            client = c;
            lost = false;
        }
        try {
            c.connect(o).waitForCompletion(Duration.ofSeconds(15).toMillis());
            int[] qos = new int[settings.topics().size()];
            java.util.Arrays.fill(qos, 1);
            IMqttToken sub = c.subscribe(settings.topics().toArray(String[]::new), qos);
            sub.waitForCompletion(Duration.ofSeconds(15).toMillis());
            for (int granted : sub.getGrantedQos()) {
                if (granted == 0x80) {
                    throw new IOException("the broker refused the subscription to " + String.join(" and ", settings.topics())
                            + " (its access list?)");
                }
            }
        } catch (MqttException | IOException | RuntimeException e) {
            closeClient(c);
            throw e;
        }
        boolean was = error != null;
        connected = true;
        since = clock.instant();
        error = null;
        errorSince = null;
        LOG.info("check-now hints: subscribed to {} on {}{}", String.join(" and ", settings.topics()), settings.mqttUrl(),
                was ? " again" : "");
    }

    private void awaitLoss() {
        synchronized (lock) {
            while (!closed && !lost) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            MqttAsyncClient c = client;
            client = null;
            if (c != null) {
                closeClient(c);
            }
        }
    }

    private void failed(String why) {
        connected = false;
        if (!why.equals(error)) {
            LOG.warn("check-now hints: MQTT broker {}: {}; polling continues every interval, reconnecting with backoff",
                    settings.mqttUrl(), why);
        }
        if (error == null) {
            errorSince = clock.instant();
        }
        error = why;
    }

    private javax.net.ssl.SSLSocketFactory sslSockets() throws IOException {
        try {
            SSLContext ctx = io.voltis.agent.config.CaFiles.context(settings.caFile(), "mqtt-ca-file");
            return ctx == null ? (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault() : ctx.getSocketFactory();
        } catch (io.voltis.agent.config.ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** One line: why the broker could not be reached or refused us; never the password. */
    static String reason(Throwable e) {
        if (e instanceof MqttException m) {
            switch (m.getReasonCode()) {
                case MqttException.REASON_CODE_FAILED_AUTHENTICATION, MqttException.REASON_CODE_NOT_AUTHORIZED:
                    return "the broker refused the credentials (mqtt-username, mqtt-password-file)";
                case MqttException.REASON_CODE_INVALID_CLIENT_ID:
                    return "the broker refused the client id";
                case MqttException.REASON_CODE_BROKER_UNAVAILABLE:
                    return "the broker is unavailable";
                case MqttException.REASON_CODE_CLIENT_TIMEOUT:
                    return "no answer from the broker in time";
                default:
                    Throwable cause = m.getCause();
                    if (cause instanceof javax.net.ssl.SSLException s) {
                        return "TLS: " + s.getMessage();
                    }
                    if (cause != null) {
                        return "cannot connect: " + cause.getClass().getSimpleName()
                                + (cause.getMessage() == null ? "" : " " + cause.getMessage());
                    }
                    return m.getMessage() == null ? "MQTT error " + m.getReasonCode() : m.getMessage();
            }
        }
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "cannot read " + n.getFile() + ": no such file";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void closeClient(MqttAsyncClient c) {
        try {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1000);
            }
        } catch (MqttException | RuntimeException e) {
            // closing anyway
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException e) {
            // nothing left to release
        }
    }

    /** A delay as status shows it: 12s, 12.4s. */
    public static String pretty(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            if (client != null) {
                closeClient(client);
                client = null;
            }
        }
    }
}
