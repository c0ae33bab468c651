package io.voltis.agent.notify;

/** One way to hand a notice to a target; returns when the target took it, throws when it did not. */
interface Delivery {

    /**
     * Delivers {@code payload} (the notice's JSON body) whose stable id is {@code id}; {@code fields}
     * are its top-level values, for deliveries that write text (email).
     */
    void send(String id, String payload, java.util.Map<String, Object> fields) throws DeliveryException, InterruptedException;
}
