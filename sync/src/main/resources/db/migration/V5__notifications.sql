-- Notifications (docs/notifications.md): the durable outbox, written in the same transaction
-- as the event it tells of, and emptied in order per target by the sender, at least once.
-- notice_id is the stable id receivers de-duplicate on; created_at is when the event happened.
CREATE TABLE outbox (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    target     VARCHAR(100) NOT NULL,
    notice_id  VARCHAR(64) NOT NULL,
    kind       VARCHAR(100) NOT NULL,
    payload    VARCHAR(100000) NOT NULL,
    created_at TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    attempts   INT DEFAULT 0 NOT NULL,
    next_at    TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    last_error VARCHAR(4000)
);
CREATE INDEX outbox_by_target ON outbox (target, id);

-- The conditions each target was told of and not yet told the end of (a service degraded, the
-- source failing, an apply failing): a repeat of the same notice key is not sent again, the
-- recovery is sent once and removes the row. payload: the notice, for reminders.
CREATE TABLE notify_conditions (
    target     VARCHAR(100) NOT NULL,
    cond       VARCHAR(300) NOT NULL,
    notice_key VARCHAR(1000) NOT NULL,
    sent_at    TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    payload    VARCHAR(100000) NOT NULL,
    PRIMARY KEY (target, cond)
);
