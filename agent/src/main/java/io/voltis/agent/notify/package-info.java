/**
 * Notifications (docs/notifications.md): who hears of which events ({@link io.voltis.agent.notify.Notifier}
 * as the store's {@link io.voltis.sync.store.Notices}), the durable outbox's senders, and the
 * three ways to deliver: a webhook, email, a local command.
 */
package io.voltis.agent.notify;
