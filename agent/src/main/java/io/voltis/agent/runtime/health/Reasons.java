package io.voltis.agent.runtime.health;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

import io.voltis.model.Durations;

/** Why a probe failed, in a few lower-case words that read well after "GET http://…: ". */
final class Reasons {

    private Reasons() {
    }

    static String timedOut(Duration timeout) {
        return "timed out after " + Durations.format(timeout);
    }

    /** The reason an I/O failure gives; the JDK's exceptions of a connect do not always carry a message. */
    static String of(Throwable failure, Duration timeout) {
        if (failure instanceof SocketTimeoutException || failure instanceof HttpTimeoutException) {
            return timedOut(timeout);
        }
        if (failure instanceof UnknownHostException) {
            return "unknown host " + failure.getMessage();
        }
        String message = failure.getMessage();
        if (failure instanceof ConnectException) {
            return message == null || message.isBlank() ? "connection refused" : lower(message);
        }
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        return lower(message);
    }

    private static String lower(String message) {
        String line = message.strip().lines().findFirst().orElse(message);
        return line.substring(0, 1).toLowerCase(Locale.ROOT) + line.substring(1);
    }
}
