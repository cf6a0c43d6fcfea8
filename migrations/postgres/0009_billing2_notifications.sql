-- Notifications to subscribers (expiry warnings first), shown in the subscriber API with a
-- read flag. dedupe_key names what a notification is about (e.g. the expiry date and the
-- warning's days), so a job that runs twice, or on two replicas, creates it once.
-- Keep in step with migrations/sqlite/0009_billing2_notifications.sql.
CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    message     TEXT NOT NULL,
    dedupe_key  TEXT NOT NULL,
    read_at     TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (customer_id, dedupe_key)
);
CREATE INDEX notifications_customer ON notifications(customer_id, created_at);
