package io.voltis.agent.notify;

/** A delivery that did not happen: a reason word and one line naming the target's address, never a secret. */
final class DeliveryException extends Exception {

    /** Why, as a word for status and logs. NOTE: docs/notifications.md lists them. */
    enum Reason { TARGET_UNREACHABLE, TARGET_REFUSED, TIMED_OUT, AUTH_FAILED, TLS_FAILED, COMMAND_FAILED }

    private final Reason reason;

    DeliveryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** "TargetRefused: HTTP 500 from https://hooks.example.com/…" */
    String line() {
        StringBuilder word = new StringBuilder();
        for (String part : reason.name().toLowerCase(java.util.Locale.ROOT).split("_")) {
            word.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return word + ": " + getMessage().replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
