-- Billing engine (SQLite). Keep in step with migrations/postgres/0005_billing.sql.
-- Each bill covers one period of the customer's cycle, and the database refuses a second bill
-- for the same customer and period: two control-plane replicas running the billing job at the
-- same moment issue it once. Bill numbers come from a per-year sequence row, updated in the
-- transaction that inserts the bill. Payments record where their money went.

ALTER TABLE bills ADD COLUMN period_start TEXT;
ALTER TABLE bills ADD COLUMN period_end TEXT;
UPDATE bills SET period_start = billing_month || '-01' WHERE period_start IS NULL;
CREATE UNIQUE INDEX bills_customer_period ON bills(customer_id, period_start);
CREATE INDEX bills_open ON bills(status, due_date);

CREATE TABLE bill_number_sequences (
    year         INTEGER PRIMARY KEY,
    last_number  INTEGER NOT NULL
);

CREATE TABLE payment_allocations (
    payment_id    TEXT NOT NULL REFERENCES payments(id),
    bill_id       TEXT NOT NULL REFERENCES bills(id),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (payment_id, bill_id)
);
CREATE INDEX payment_allocations_bill ON payment_allocations(bill_id);

-- Monthly customers are billed on billing_day; prepaid ones every validity_days of their
-- package from the connection date. credit_minor is money paid beyond every bill, used by the
-- next ones. never_suspend exempts a customer from suspension at expiry.
ALTER TABLE customers ADD COLUMN billing_cycle TEXT NOT NULL DEFAULT 'monthly'
    CHECK (billing_cycle IN ('monthly', 'prepaid'));
ALTER TABLE customers ADD COLUMN billing_day INTEGER NOT NULL DEFAULT 1
    CHECK (billing_day BETWEEN 1 AND 28);
ALTER TABLE customers ADD COLUMN credit_minor INTEGER NOT NULL DEFAULT 0
    CHECK (credit_minor >= 0);
ALTER TABLE customers ADD COLUMN never_suspend INTEGER NOT NULL DEFAULT 0;

-- The billing job disconnects suspended and reactivated subscribers itself: device commands
-- may be requested by the system. SQLite cannot change a CHECK, so the table is rebuilt.
CREATE TABLE device_commands_new (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    requester_kind  TEXT NOT NULL CHECK (requester_kind IN ('customer', 'staff', 'system')),
    requester_id    TEXT NOT NULL,
    customer_id     TEXT REFERENCES customers(id),
    device_id       TEXT REFERENCES devices(id),
    target          TEXT NOT NULL,
    params          TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'running', 'succeeded', 'failed', 'rolled_back', 'expired')),
    detail          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO device_commands_new SELECT id, kind, requester_kind, requester_id, customer_id,
    device_id, target, params, state, detail, created_at, updated_at FROM device_commands;
DROP TABLE device_commands;
ALTER TABLE device_commands_new RENAME TO device_commands;
CREATE INDEX device_commands_customer ON device_commands(customer_id, created_at);
CREATE INDEX device_commands_state ON device_commands(state, created_at);
-- Rebuilt with the table: at most one fast optics poll per ONU queued, sent or running (0005).
CREATE UNIQUE INDEX device_commands_one_fast_poll ON device_commands(device_id, target)
    WHERE kind = 'fast_poll_optics' AND state IN ('queued', 'sent', 'running');
