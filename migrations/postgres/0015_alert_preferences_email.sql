-- Alert preferences (seed 002) and the alert outbox. Each notification has a severity (info,
-- warning, critical, chosen by its kind); a customer gets it by email and on their own webhook
-- when it is at or above their min_severity. alert_deliveries holds one row per notification
-- and channel, claimed with a lease by the delivery loops (alerts/email_loop.rs,
-- alerts/webhook_loop.rs) and retried with backoff: it is the outbox and the delivery log.
-- webhook_secret is the HMAC-SHA256 key the customer's webhook deliveries are signed with.
-- Keep in step with migrations/sqlite/0013_alert_preferences_email.sql.
ALTER TABLE notifications ADD COLUMN severity TEXT NOT NULL DEFAULT 'info';
CREATE TABLE alert_preferences (
    customer_id     TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    email_enabled   INTEGER NOT NULL,
    email_address   TEXT,
    webhook_enabled INTEGER NOT NULL,
    webhook_url     TEXT,
    webhook_secret  TEXT,
    min_severity    TEXT NOT NULL CHECK (min_severity IN ('info', 'warning', 'critical')),
    updated_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE TABLE alert_deliveries (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    notification_id  TEXT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target           TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_status_code INTEGER,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT,
    UNIQUE (notification_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries(channel, status, next_attempt_at);
CREATE INDEX alert_deliveries_customer ON alert_deliveries(customer_id, created_at);
